"""Per-user and per-IP limits on the ingest endpoint, shared by every worker process.

Fixed one-minute windows in a table: one upsert statement per key (INSERT .. ON CONFLICT ..
RETURNING works on SQLite >= 3.35 and PostgreSQL), atomic without locks held across statements.
"""

import math
import time

from django.conf import settings
from django.db import connection

from academy.errors import DomainError
from incidents.models import RateBucket

WINDOW_SECONDS = 60


def hit(key: str, now: float | None = None) -> int:
    """Count one more request for `key` in the current window; the count so far."""
    window = int((time.time() if now is None else now) // WINDOW_SECONDS)
    q = connection.ops.quote_name
    table, key_col, minute, hits = q(RateBucket._meta.db_table), q("key"), q("minute"), q("hits")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_col}, {minute}, {hits}) VALUES (%s, %s, 1) "  # noqa: S608 - our names
            f"ON CONFLICT ({key_col}, {minute}) DO UPDATE SET {hits} = {table}.{hits} + 1 RETURNING {hits}",
            [key, window],
        )
        row = cursor.fetchone()
    count = int(row[0]) if row else 1
    if count == 1:
        # A new window for this key: the old ones are of no more use.
        RateBucket.objects.filter(key=key, minute__lt=window).delete()
    return count


def check(*, user_id: int, ip: str | None) -> None:
    """Raise a 429 refusal with Retry-After when this user or this address is over its limit."""
    now = time.time()
    over = hit(f"user:{user_id}", now) > settings.INCIDENT_RATE_LIMIT_PER_MINUTE
    if ip and hit(f"ip:{ip}", now) > settings.INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE:
        over = True
    if over:
        retry_after = max(1, math.ceil(WINDOW_SECONDS - now % WINDOW_SECONDS))
        raise DomainError(
            "rate_limited",
            "Too many reports; please wait a moment.",
            429,
            headers={"Retry-After": str(retry_after)},
        )
