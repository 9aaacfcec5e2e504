"""Per-user and per-IP limits on the ingest endpoint, shared by every worker process.

Fixed one-minute windows in a table of the incident inbox (incidents/inbox.py), one row per key
and window. A refused request is not counted, so one account over its own limit does not use up
the limit of the others behind the same address. Two ways to count, the same rule:

- `check`: one upsert statement for all keys of a request (INSERT .. ON CONFLICT .. RETURNING,
  SQLite >= 3.35 and PostgreSQL), run inside the caller's transaction, which rolls the counts
  back when it refuses.
- `insert_within_limits` (PostgreSQL): the stored row and its counts in one statement, so an
  accepted report costs one round trip instead of five (BEGIN, SET, upsert, INSERT, COMMIT).
"""

import math
import time
from typing import Any

from django.conf import settings

from academy.errors import DomainError
from incidents import inbox
from incidents.models import RateBucket

WINDOW_SECONDS = 60


def limits_for(*, user_id: int, ip: str | None) -> dict[str, int]:
    """The keys a request counts against, each with its limit a window."""
    limits = {f"user:{user_id}": settings.INCIDENT_RATE_LIMIT_PER_MINUTE}
    if ip:
        limits[f"ip:{ip}"] = settings.INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE
    return limits


def _window(now: float) -> int:
    return int(now // WINDOW_SECONDS)


def hit(keys: list[str], now: float | None = None) -> dict[str, int]:
    """Count one more request for each key in the current window; the counts so far."""
    window = _window(time.time() if now is None else now)
    rows = ", ".join(["(%s, %s, 1)"] * len(keys))
    with inbox.connection().cursor() as cursor:
        cursor.execute(_count(f"VALUES {rows}"), [value for key in keys for value in (key, window)])
        counts = {key: int(count) for key, count in cursor.fetchall()}
    _forget_old_windows(counts, window)
    return counts


def _names() -> tuple[str, str, str, str]:
    """The bucket table and its key, minute and hits columns, quoted for this database."""
    q = inbox.connection().ops.quote_name
    return q(RateBucket._meta.db_table), q("key"), q("minute"), q("hits")


def _count(rows: str) -> str:
    """The upsert that adds one to each (key, minute, 1) row of `rows`; it returns (key, hits)."""
    table, key_col, minute, hits = _names()
    return (
        f"INSERT INTO {table} ({key_col}, {minute}, {hits}) {rows} "
        f"ON CONFLICT ({key_col}, {minute}) DO UPDATE SET {hits} = {table}.{hits} + 1 "
        f"RETURNING {key_col}, {hits}"
    )


def _forget_old_windows(counts: dict[str, int], window: int) -> None:
    fresh = [key for key, count in counts.items() if count == 1]
    if fresh:
        # A new window for these keys: their old ones are of no more use.
        RateBucket.objects.filter(key__in=fresh, minute__lt=window).delete()


def _refusal(now: float) -> DomainError:
    retry_after = max(1, math.ceil(WINDOW_SECONDS - now % WINDOW_SECONDS))
    return DomainError(
        "rate_limited",
        "Too many reports; please wait a moment.",
        429,
        headers={"Retry-After": str(retry_after)},
    )


def check(*, user_id: int, ip: str | None) -> None:
    """Count this request; raise a 429 refusal with Retry-After when this user or this address
    is over its limit. Run it in a transaction that the refusal rolls back, so it is not counted."""
    now = time.time()
    limits = limits_for(user_id=user_id, ip=ip)
    counts = hit(list(limits), now)
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
    window = _window(now)
    limits = limits_for(user_id=user_id, ip=ip)
    table, key_col, minute, hits = _names()
    into, values = insert.split(" VALUES ", 1)
    keys = ", ".join(["(%s, %s::bigint, %s::integer)"] * len(limits))
    count_stored = _count("SELECT key, minute, 1 FROM limits WHERE EXISTS (SELECT FROM stored)")
    statement = (
        f"WITH limits (key, minute, most) AS (VALUES {keys}), "  # noqa: S608 - our names; values are params
        f"over AS (SELECT FROM {table} AS b JOIN limits AS l ON b.{key_col} = l.key "
        f"AND b.{minute} = l.minute WHERE b.{hits} >= l.most), "
        f"stored AS ({into} SELECT * FROM (VALUES {values}) AS report WHERE NOT EXISTS (SELECT FROM over) "
        f"RETURNING 1) {count_stored}"
    )
    connection = inbox.connection()
    own_transaction = not connection.in_atomic_block
    sql = f"SET LOCAL synchronous_commit = off; {statement}" if own_transaction else statement
    counted: list[Any] = [v for key, most in limits.items() for v in (key, window, most)]
    with connection.cursor() as cursor:
        cursor.execute(sql, counted + params)
        if own_transaction:
            cursor.nextset()  # past the SET's result
        counts = {key: int(count) for key, count in cursor.fetchall()}
    if not counts:
        raise _refusal(now)
    _forget_old_windows(counts, window)
