"""Steady-rate limits (GCRA): a burst at once, then one request a step; refused requests cost
nothing; every process shares one state."""

import threading

import pytest
from django.db import connections, transaction

from academy import pacing
from academy.models import RatePace
from academy.pacing import Pace

pytestmark = pytest.mark.django_db(databases="__all__")

NOON = 1_795_780_800  # 2026-11-28 12:00 UTC
TWO_A_SECOND = Pace("a", per_minute=120, burst=3)  # a step is 0.5 s


def _accepted(paces: list[Pace], now: float) -> bool:
    """One request, in a transaction that a refusal rolls back (as callers do)."""
    try:
        with transaction.atomic(using=pacing.connection().alias):
            refusal = pacing.take(paces, now)
            if refusal is not None:
                raise _Refused
    except _Refused:
        return False
    return True


class _Refused(Exception):
    pass


def test_a_burst_at_once_then_one_request_a_step():
    at_once = [_accepted([TWO_A_SECOND], NOON) for _ in range(5)]
    assert at_once == [True, True, True, False, False]
    assert [_accepted([TWO_A_SECOND], NOON + 0.4)] == [False]  # not a whole step later
    assert [_accepted([TWO_A_SECOND], NOON + 0.5) for _ in range(2)] == [True, False]
    # A steady sender at the rate is never refused: one every half second for a minute.
    assert all(_accepted([TWO_A_SECOND], NOON + 1 + n / 2) for n in range(120))


def test_an_idle_key_gets_its_whole_burst_back():
    for _ in range(3):
        _accepted([TWO_A_SECOND], NOON)
    assert not _accepted([TWO_A_SECOND], NOON)
    # Three steps later all three are back, and no more: the burst is a ceiling, not a savings.
    assert [_accepted([TWO_A_SECOND], NOON + 60) for _ in range(4)] == [True, True, True, False]


def test_the_refusal_says_which_key_and_until_when_without_counting():
    b = Pace("b", per_minute=60, burst=1)  # one a second
    assert pacing.take([TWO_A_SECOND, b], NOON) is None
    refusal = pacing.refusal([TWO_A_SECOND, b], NOON + 0.25)
    assert refusal == pacing.Refusal(over=["b"], until=NOON + 1)
    assert refusal.retry_after(NOON + 0.25) == 1
    assert pacing.refusal([TWO_A_SECOND, b], NOON + 1) is None
    # Reading it counted nothing: `a` has two of its three left.
    assert [_accepted([TWO_A_SECOND], NOON) for _ in range(3)] == [True, True, False]


def test_a_request_refused_by_one_key_counts_against_none():
    b = Pace("b", per_minute=60, burst=1)
    assert _accepted([b], NOON)
    assert not _accepted([TWO_A_SECOND, b], NOON)  # b has none left: a is not charged either
    assert [_accepted([TWO_A_SECOND], NOON) for _ in range(4)] == [True, True, True, False]


def test_the_burst_is_never_more_than_the_minute():
    assert Pace("c", per_minute=2, burst=10).most_ahead_us == 2 * 30 * pacing.MICROSECONDS
    assert [_accepted([Pace("c", 2, 10)], NOON) for _ in range(3)] == [True, True, False]


def test_forgetting_idle_keys():
    pacing.take([TWO_A_SECOND], NOON)  # due half a second later
    pacing.take([Pace("slow", per_minute=1, burst=1)], NOON)  # due a minute later
    assert pacing.forget_idle(NOON + 1) == 1
    assert list(RatePace.objects.values_list("key", flat=True)) == ["slow"]


# Every web process paces in the same table: many connections at once get exactly the burst.
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_many_connections_at_once_get_the_burst_and_no_more():
    results: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def send() -> None:
        try:
            start.wait()
            for _ in range(5):
                accepted = _accepted([Pace("shared", per_minute=60, burst=6)], NOON)
                with lock:
                    results.append(accepted)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 6
