"""Fixed-window limits (the login throttles): counted in a table, shared by every process."""

import threading

import pytest
from django.db import connections

from academy import ratelimit
from academy.models import RateBucket

pytestmark = pytest.mark.django_db(databases="__all__")

NOON = 1_795_780_800  # a whole hour since the epoch: 2026-11-28 12:00 UTC


def test_each_key_counts_on_its_own_within_its_window():
    assert ratelimit.hit(["a", "b"], 900, NOON + 1) == {"a": 1, "b": 1}
    assert ratelimit.hit(["a"], 900, NOON + 899) == {"a": 2}
    assert ratelimit.counts(["a", "b", "c"], 900, NOON + 500) == {"a": 2, "b": 1, "c": 0}


def test_a_new_window_starts_from_one_and_drops_the_old():
    ratelimit.hit(["a"], 60, NOON + 30)
    ratelimit.hit(["a"], 60, NOON + 59)
    assert ratelimit.counts(["a"], 60, NOON + 60) == {"a": 0}
    assert ratelimit.hit(["a"], 60, NOON + 61) == {"a": 1}
    assert list(RateBucket.objects.values_list("key", "window_end", "hits")) == [("a", NOON + 120, 1)]


def test_windows_are_fixed_spans_of_the_clock():
    assert ratelimit.window_end(900, NOON) == NOON + 900
    assert ratelimit.window_end(900, NOON + 899.5) == NOON + 900
    assert ratelimit.window_end(3600, NOON + 3600) == NOON + 7200
    assert ratelimit.retry_after(60, NOON + 5) == 55
    assert ratelimit.retry_after(60, NOON + 59.9) == 1


def test_forgetting_a_key_and_the_ended_windows():
    ratelimit.hit(["a", "b"], 60, NOON)
    ratelimit.hit(["c"], 3600, NOON)
    ratelimit.forget("a")
    assert ratelimit.counts(["a", "b"], 60, NOON) == {"a": 0, "b": 1}
    assert ratelimit.forget_ended(NOON + 60) == 1  # b's minute has ended; c's hour has not
    assert list(RateBucket.objects.values_list("key", flat=True)) == ["c"]


def test_a_rolled_back_transaction_takes_its_counts_back():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic(using=ratelimit.connection().alias):
        ratelimit.hit(["a"], 60, NOON)
        raise RuntimeError
    assert ratelimit.counts(["a"], 60, NOON) == {"a": 0}


# Every web process counts in the same table: several connections at once lose no count.
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_counts_from_many_connections_at_once_all_count():
    threads, per_thread = 4, 10

    def count() -> None:
        try:
            for _ in range(per_thread):
                ratelimit.hit(["shared"], 3600, NOON)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=count) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert ratelimit.counts(["shared"], 3600, NOON) == {"shared": threads * per_thread}
