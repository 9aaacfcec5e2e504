"""Per-user and per-IP limits on the ingest endpoint: steady rates with a burst (academy/pacing.py).

Each person may send INCIDENT_RATE_LIMIT_PER_MINUTE reports a minute, at most
INCIDENT_RATE_LIMIT_BURST at once, and each address the _PER_IP_ pair. Paced, not counted in
fixed minutes: with a fixed minute, a broken page's storm spent every address's whole minute in
its first fifth of a second, and the ordinary pages of that moment queued behind those reports.

A refused request is not counted, so one account over its own limit does not use up the limit of
the others behind the same address. Two ways to count, the same rule:

- `check`: one upsert statement for all keys of a request (pacing.take), run inside the caller's
  transaction, which rolls the counts back when it refuses.
- `insert_within_limits` (PostgreSQL): the stored row and its counts in one statement, so an
  accepted report costs one round trip instead of five (BEGIN, SET, upsert, INSERT, COMMIT).

And one way to refuse early: once a sender (its session, or its address) has been refused, every
report it sends before its allowance comes back would be refused too. Each web process remembers
that (`remember_refusal`) and refuses those reports before the session, the user or the counts
are read (`refused_early`): in a storm from a broken page, most reports come from people over
their limit, and each of those used to cost as much as an accepted one (three queries).
"""

import time
from typing import Any

from django.conf import settings

from academy import pacing
from academy.errors import DomainError
from academy.pacing import Pace


def limits_for(*, user_id: int, ip: str | None) -> list[Pace]:
    """The limits a request counts against: its sender's and its address's."""
    limits = [
        Pace(f"user:{user_id}", settings.INCIDENT_RATE_LIMIT_PER_MINUTE, settings.INCIDENT_RATE_LIMIT_BURST)
    ]
    if ip:
        limits.append(
            Pace(
                f"ip:{ip}",
                settings.INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE,
                settings.INCIDENT_RATE_LIMIT_PER_IP_BURST,
            )
        )
    return limits


class OverLimit(DomainError):
    """The 429 refusal, naming the keys that have no allowance left until `until`."""

    def __init__(self, now: float, refusal: pacing.Refusal) -> None:
        super().__init__(
            "rate_limited",
            "Too many reports; please wait a moment.",
            429,
            headers={"Retry-After": str(refusal.retry_after(now))},
        )
        self.over = refusal.over
        self.until = refusal.until


# This process's senders known to be over a limit: {"session:<key>" or "ip:<address>": until}.
_refused_until: dict[str, float] = {}
_REMEMBERED_AT_MOST = 10_000  # past this, the refusals that have ended are dropped


def _early_keys(session_key: str | None, ip: str | None) -> list[str]:
    return [f"session:{session_key}" if session_key else "", f"ip:{ip}" if ip else ""]


def refused_early(*, session_key: str | None, ip: str | None) -> OverLimit | None:
    """The refusal for a sender this process has already seen over its limit, while it still is
    (by its session cookie or its address), without reading the session or the database; None
    when it may send.

    The session cookie is only compared with those of refused requests: a forged one matches
    none and goes on to the real checks."""
    now = time.time()
    ends = {key: _refused_until.get(key, 0.0) for key in _early_keys(session_key, ip) if key}
    over = [key for key, until in ends.items() if until > now]
    if not over:
        return None
    refusal = OverLimit(now, pacing.Refusal(over, max(ends[key] for key in over)))
    refusal.log_answer = False  # its first refusal was logged; a storm repeats it hundreds of times
    return refusal


def remember_refusal(refusal: OverLimit, *, session_key: str | None) -> None:
    """Remember who was refused until its allowance comes back: the session for a user's limit,
    the address for an address's limit."""
    if len(_refused_until) >= _REMEMBERED_AT_MOST:
        now = time.time()
        for key in [key for key, until in _refused_until.items() if until <= now]:
            del _refused_until[key]
    for key in refusal.over:
        kind, _, _ = key.partition(":")
        if kind == "ip":
            _refused_until[key] = refusal.until
        elif kind == "user" and session_key:
            _refused_until[f"session:{session_key}"] = refusal.until


def forget_refusals() -> None:
    """Forget every remembered refusal (tests change the clock and the limits)."""
    _refused_until.clear()


def check(*, user_id: int, ip: str | None) -> None:
    """Count this request; raise a 429 refusal with Retry-After when this user or this address
    has no allowance left. Run it in a transaction that the refusal rolls back, so it is not
    counted."""
    now = time.time()
    refusal = pacing.take(limits_for(user_id=user_id, ip=ip), now)
    if refusal is not None:
        raise OverLimit(now, refusal)


def insert_within_limits(insert: str, params: list[Any], *, user_id: int, ip: str | None) -> None:
    """PostgreSQL: run `insert` (an `INSERT INTO t (..) VALUES (..)` of one row) and count it,
    in one statement that stores and counts nothing when a key has no allowance left (429).

    Run outside a transaction, the statement and the `SET LOCAL` before it are one implicit
    transaction (simple query protocol): the report does not wait for its WAL flush. A report is
    telemetry the browser sends once and never retries; a PostgreSQL crash may lose the reports
    of its last ~0.6 s (3 x wal_writer_delay), an app crash none.

    The allowance is read from the statement's snapshot, so two requests at once may both pass
    at its edge: a key may get a request or two more than its burst, never fewer.
    """
    now = time.time()
    at = pacing.now_us(now)
    limits = limits_for(user_id=user_id, ip=ip)
    into, values = insert.split(" VALUES ", 1)
    rows = ", ".join(["(%s, %s::bigint, %s::bigint)"] * len(limits))
    count = pacing.upsert_statement(
        "SELECT key, %s::bigint + step FROM paces WHERE EXISTS (SELECT FROM stored)"
    )
    statement = (
        f"WITH paces (key, step, most) AS (VALUES {rows}), "  # noqa: S608 - our names; values are params
        f"over AS ({pacing.over_statement('paces')}), "
        f"stored AS ({into} SELECT * FROM (VALUES {values}) AS report WHERE NOT EXISTS (SELECT FROM over) "
        f"RETURNING 1) {count}"
    )
    connection = pacing.connection()
    own_transaction = not connection.in_atomic_block
    sql = f"SET LOCAL synchronous_commit = off; {statement}" if own_transaction else statement
    paces: list[Any] = [v for pace in limits for v in (pace.key, pace.step_us, pace.most_ahead_us)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*paces, at, *params, at, at, at])
        if own_transaction:
            cursor.nextset()  # past the SET's result
        counted = cursor.fetchall()
    if not counted:
        # Refused: which keys have no allowance left, and until when, for refused_early and
        # Retry-After (one query, once a sender is refused in each process).
        # Read a moment later, the allowance may be back already: then no one is remembered.
        refusal = pacing.refusal(limits, now) or pacing.Refusal([], now + 1)
        raise OverLimit(now, refusal)
