"""Per-user and per-IP limits on the ingest endpoint: one-minute windows of academy/ratelimit.py.

A refused request is not counted, so one account over its own limit does not use up the limit of
the others behind the same address. Two ways to count, the same rule:

- `check`: one upsert statement for all keys of a request (ratelimit.hit), run inside the
  caller's transaction, which rolls the counts back when it refuses.
- `insert_within_limits` (PostgreSQL): the stored row and its counts in one statement, so an
  accepted report costs one round trip instead of five (BEGIN, SET, upsert, INSERT, COMMIT).

And one way to refuse early: a count never goes down within its window, so once a sender (its
session, or its address) has been refused, every report it sends until the window ends would be
refused too. Each web process remembers that (`remember_refusal`) and refuses those reports
before the session, the user or the counts are read (`refused_early`): in a storm from a broken
page, most reports come from people already over their limit, and each of those used to cost as
much as an accepted one (three queries), queueing ordinary pages behind them.
"""

import time
from typing import Any

from django.conf import settings

from academy import ratelimit
from academy.errors import DomainError

WINDOW_SECONDS = 60


def limits_for(*, user_id: int, ip: str | None) -> dict[str, int]:
    """The keys a request counts against, each with its limit a window."""
    limits = {f"user:{user_id}": settings.INCIDENT_RATE_LIMIT_PER_MINUTE}
    if ip:
        limits[f"ip:{ip}"] = settings.INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE
    return limits


class OverLimit(DomainError):
    """The 429 refusal, naming the keys that are at their limit until `window_end`."""

    def __init__(self, now: float, over: list[str]) -> None:
        super().__init__(
            "rate_limited",
            "Too many reports; please wait a moment.",
            429,
            headers={"Retry-After": str(ratelimit.retry_after(WINDOW_SECONDS, now))},
        )
        self.over = over
        self.window_end = ratelimit.window_end(WINDOW_SECONDS, now)


# This process's senders known to be over a limit: {"session:<key>" or "ip:<address>": window end}.
_refused_until: dict[str, int] = {}
_REMEMBERED_AT_MOST = 10_000  # past this, the ended windows are dropped


def _early_keys(session_key: str | None, ip: str | None) -> list[str]:
    return [f"session:{session_key}" if session_key else "", f"ip:{ip}" if ip else ""]


def refused_early(*, session_key: str | None, ip: str | None) -> OverLimit | None:
    """The refusal for a sender this process has already seen over its limit in this window
    (by its session cookie or its address), without reading the session or the database; None
    when it may still send.

    The session cookie is only compared with those of refused requests: a forged one matches
    none and goes on to the real checks."""
    now = time.time()
    over = [key for key in _early_keys(session_key, ip) if key and _refused_until.get(key, 0) > now]
    return OverLimit(now, over) if over else None


def remember_refusal(refusal: OverLimit, *, session_key: str | None) -> None:
    """Remember who was refused until the window ends: the session for a user's limit, the
    address for an address's limit."""
    if len(_refused_until) >= _REMEMBERED_AT_MOST:
        now = time.time()
        for key in [key for key, end in _refused_until.items() if end <= now]:
            del _refused_until[key]
    for key in refusal.over:
        kind, _, _ = key.partition(":")
        if kind == "ip":
            _refused_until[key] = refusal.window_end
        elif kind == "user" and session_key:
            _refused_until[f"session:{session_key}"] = refusal.window_end


def forget_refusals() -> None:
    """Forget every remembered refusal (tests change the clock and the limits)."""
    _refused_until.clear()


def check(*, user_id: int, ip: str | None) -> None:
    """Count this request; raise a 429 refusal with Retry-After when this user or this address
    is over its limit. Run it in a transaction that the refusal rolls back, so it is not counted."""
    now = time.time()
    limits = limits_for(user_id=user_id, ip=ip)
    counts = ratelimit.hit(list(limits), WINDOW_SECONDS, now)
    over = [key for key, limit in limits.items() if counts.get(key, 0) > limit]
    if over:
        raise OverLimit(now, over)


def insert_within_limits(insert: str, params: list[Any], *, user_id: int, ip: str | None) -> None:
    """PostgreSQL: run `insert` (an `INSERT INTO t (..) VALUES (..)` of one row) and count it,
    in one statement that stores and counts nothing when a key is at its limit (429).

    Run outside a transaction, the statement and the `SET LOCAL` before it are one implicit
    transaction (simple query protocol): the report does not wait for its WAL flush. A report is
    telemetry the browser sends once and never retries; a PostgreSQL crash may lose the reports
    of its last ~0.6 s (3 x wal_writer_delay), an app crash none.

    The limit is read from the statement's snapshot, so two requests at once may both pass at
    the limit's edge: a window may hold a request or two more than its limit, never fewer.
    """
    now = time.time()
    end = ratelimit.window_end(WINDOW_SECONDS, now)
    limits = limits_for(user_id=user_id, ip=ip)
    table, key_col, end_col, hits = ratelimit.table_names()
    into, values = insert.split(" VALUES ", 1)
    keys = ", ".join(["(%s, %s::bigint, %s::integer)"] * len(limits))
    count_stored = ratelimit.count_statement(
        "SELECT key, window_end, 1 FROM limits WHERE EXISTS (SELECT FROM stored)"
    )
    statement = (
        f"WITH limits (key, window_end, most) AS (VALUES {keys}), "  # noqa: S608 - our names; values are params
        f"over AS (SELECT FROM {table} AS b JOIN limits AS l ON b.{key_col} = l.key "
        f"AND b.{end_col} = l.window_end WHERE b.{hits} >= l.most), "
        f"stored AS ({into} SELECT * FROM (VALUES {values}) AS report WHERE NOT EXISTS (SELECT FROM over) "
        f"RETURNING 1) {count_stored}"
    )
    connection = ratelimit.connection()
    own_transaction = not connection.in_atomic_block
    sql = f"SET LOCAL synchronous_commit = off; {statement}" if own_transaction else statement
    counted: list[Any] = [v for key, most in limits.items() for v in (key, end, most)]
    with connection.cursor() as cursor:
        cursor.execute(sql, counted + params)
        if own_transaction:
            cursor.nextset()  # past the SET's result
        counts = {key: int(count) for key, count in cursor.fetchall()}
    if not counts:
        # Refused: which keys are at their limit, for refused_early (one query, once a sender
        # and window in each process).
        found = ratelimit.counts(list(limits), WINDOW_SECONDS, now)
        raise OverLimit(now, [key for key, most in limits.items() if found[key] >= most])
    ratelimit.forget_old_windows(counts, end)
