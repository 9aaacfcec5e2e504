"""Per-user and per-IP limits on the ingest endpoint: one-minute windows of academy/ratelimit.py.

A refused request is not counted, so one account over its own limit does not use up the limit of
the others behind the same address. Two ways to count, the same rule:

- `check`: one upsert statement for all keys of a request (ratelimit.hit), run inside the
  caller's transaction, which rolls the counts back when it refuses.
- `insert_within_limits` (PostgreSQL): the stored row and its counts in one statement, so an
  accepted report costs one round trip instead of five (BEGIN, SET, upsert, INSERT, COMMIT).
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


def _refusal(now: float) -> DomainError:
    return DomainError(
        "rate_limited",
        "Too many reports; please wait a moment.",
        429,
        headers={"Retry-After": str(ratelimit.retry_after(WINDOW_SECONDS, now))},
    )


def check(*, user_id: int, ip: str | None) -> None:
    """Count this request; raise a 429 refusal with Retry-After when this user or this address
    is over its limit. Run it in a transaction that the refusal rolls back, so it is not counted."""
    now = time.time()
    limits = limits_for(user_id=user_id, ip=ip)
    counts = ratelimit.hit(list(limits), WINDOW_SECONDS, now)
    if any(counts.get(key, 0) > limit for key, limit in limits.items()):
        raise _refusal(now)


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
        raise _refusal(now)
    ratelimit.forget_old_windows(counts, end)
