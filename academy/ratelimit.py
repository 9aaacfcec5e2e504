"""Fixed-window rate limits: the login and password-reset throttles (accounts/throttle.py), which
count failures or emails and lock until the window ends ("try again in 15 minutes"). A stream of
requests that should be spread out rather than cut off (incident ingest) is paced instead:
academy/pacing.py.

The counts are rows of a table (academy.models.RateBucket: one per key and window), counted with
one upsert statement (INSERT .. ON CONFLICT .. DO UPDATE .. RETURNING; SQLite >= 3.35 and
PostgreSQL), so every web process sees the same counts and two requests at once both count. Not
the cache: a per-process cache (LocMemCache, Django's default) would give each process its own
limit, and the cache's `incr` is a read and a write that can lose a count between processes
(the database cache's also reset the window to the cache's default timeout, 300 s).

Windows are fixed spans of the clock, `window_seconds` long from the epoch; a row names its window
by when it ends, so that one cleanup (`forget_ended`) serves windows of any length. On SQLite the
table is in the incident inbox's database file (incidents/inbox.py routes it there), away from
the main file's write lock.
"""

import math
import time

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

from academy.models import RateBucket


def connection() -> BaseDatabaseWrapper:
    """The connection of the database the counts are in."""
    return connections[router.db_for_write(RateBucket)]


def window_end(window_seconds: int, now: float) -> int:
    """When the window holding `now` ends, in seconds since the epoch."""
    return (int(now // window_seconds) + 1) * window_seconds


def retry_after(window_seconds: int, now: float) -> int:
    """Whole seconds until the window holding `now` ends (at least 1): a Retry-After value."""
    return max(1, math.ceil(window_end(window_seconds, now) - now))


def hit(keys: list[str], window_seconds: int, now: float | None = None) -> dict[str, int]:
    """Count one more request for each key in the current window; each key's count so far.
    Inside a transaction, rolling it back takes the counts back too."""
    end = window_end(window_seconds, time.time() if now is None else now)
    q = connection().ops.quote_name
    table, key, end_col, hits = q(RateBucket._meta.db_table), q("key"), q("window_end"), q("hits")
    rows = ", ".join(["(%s, %s, 1)"] * len(keys))
    statement = (
        f"INSERT INTO {table} ({key}, {end_col}, {hits}) VALUES {rows} "  # noqa: S608 - our names; values are params
        f"ON CONFLICT ({key}, {end_col}) DO UPDATE SET {hits} = {table}.{hits} + 1 "
        f"RETURNING {key}, {hits}"
    )
    with connection().cursor() as cursor:
        cursor.execute(statement, [value for k in keys for value in (k, end)])
        counts = {k: int(count) for k, count in cursor.fetchall()}
    _forget_old_windows(counts, end)
    return counts


def counts(keys: list[str], window_seconds: int, now: float | None = None) -> dict[str, int]:
    """Each key's count in the current window, without counting (0 for a key with none)."""
    end = window_end(window_seconds, time.time() if now is None else now)
    found = RateBucket.objects.filter(key__in=keys, window_end=end).values_list("key", "hits")
    return {key: 0 for key in keys} | dict(found)


def forget(key: str) -> None:
    """Start this key afresh (a successful login clears its failures)."""
    RateBucket.objects.filter(key=key).delete()


def _forget_old_windows(counts: dict[str, int], end: int) -> None:
    """The keys that have just opened a window (a count of 1) drop their older ones."""
    fresh = [key for key, count in counts.items() if count == 1]
    if fresh:
        RateBucket.objects.filter(key__in=fresh, window_end__lt=end).delete()


def forget_ended(now: float | None = None) -> int:
    """Delete the windows that have ended, of every key; how many rows went."""
    deleted, _ = RateBucket.objects.filter(window_end__lte=time.time() if now is None else now).delete()
    return deleted
