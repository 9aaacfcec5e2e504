"""Per-user and per-IP limits on the ingest endpoint, shared by every worker process.

Fixed one-minute windows in a table: one upsert statement for all keys of a request (INSERT .. ON CONFLICT ..
RETURNING works on SQLite >= 3.35 and PostgreSQL), atomic without locks held across statements.
"""

import math
import time

from django.conf import settings
from django.db import connection

from academy.errors import DomainError
from incidents.models import RateBucket

WINDOW_SECONDS = 60


def hit(keys: list[str], now: float | None = None) -> dict[str, int]:
    """Count one more request for each key in the current window; the counts so far."""
    window = int((time.time() if now is None else now) // WINDOW_SECONDS)
    q = connection.ops.quote_name
    table, key_col, minute, hits = q(RateBucket._meta.db_table), q("key"), q("minute"), q("hits")
    rows = ", ".join(["(%s, %s, 1)"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_col}, {minute}, {hits}) VALUES {rows} "  # noqa: S608 - our names
            f"ON CONFLICT ({key_col}, {minute}) DO UPDATE SET {hits} = {table}.{hits} + 1 "
            f"RETURNING {key_col}, {hits}",
            [value for key in keys for value in (key, window)],
        )
        counts = {key: int(count) for key, count in cursor.fetchall()}
    fresh = [key for key, count in counts.items() if count == 1]
    if fresh:
        # A new window for these keys: their old ones are of no more use.
        RateBucket.objects.filter(key__in=fresh, minute__lt=window).delete()
    return counts


def check(*, user_id: int, ip: str | None) -> None:
    """Raise a 429 refusal with Retry-After when this user or this address is over its limit."""
    now = time.time()
    limits = {f"user:{user_id}": settings.INCIDENT_RATE_LIMIT_PER_MINUTE}
    if ip:
        limits[f"ip:{ip}"] = settings.INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE
    counts = hit(list(limits), now)
    if any(counts.get(key, 0) > limit for key, limit in limits.items()):
        retry_after = max(1, math.ceil(WINDOW_SECONDS - now % WINDOW_SECONDS))
        raise DomainError(
            "rate_limited",
            "Too many reports; please wait a moment.",
            429,
            headers={"Retry-After": str(retry_after)},
        )
