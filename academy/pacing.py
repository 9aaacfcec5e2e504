"""Steady-rate limits: "N a minute, at most B at once", for limits on a stream of requests
(incident ingest: incidents/ratelimit.py).

A fixed window (academy/ratelimit.py) lets a key spend its whole minute in its first instant. In
a storm from a broken page (bench/incidents.py, the storm), the 120 reports a minute of one office
address all arrived in the storm's first 0.2 s, and again at the next minute's start, and every
page load of those moments queued behind them. A paced limit lets B through at once and then one
every 60/N seconds, so the same minute's reports arrive spread over it.

The algorithm is GCRA (the generic cell rate algorithm of ATM networks, as in redis-cell and
Stripe's limiter): each key keeps `due`, the moment its accepted requests would all have been
served had they come one `step` (60/N s) apart. A request at `now` is accepted while `due` is at
most B steps ahead of `now` once it is counted, and counting it moves `due` to
max(due, now) + step. A refused request changes nothing; an idle key's `due` falls behind `now`,
which is the same as no row at all.

The state is a table (academy.models.RatePace, one row per key), updated with one upsert, so every
web process sees the same limit; on SQLite it is in the incident inbox's file with the fixed
windows (incidents/inbox.py routes it there).
"""

import math
import time
from dataclasses import dataclass

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

from academy.models import RatePace

MICROSECONDS = 1_000_000


@dataclass(frozen=True)
class Pace:
    """One key's limit: `per_minute` on average, at most `burst` at once."""

    key: str
    per_minute: int
    burst: int

    @property
    def step_us(self) -> int:
        """How much of the key's allowance one request uses: a minute over `per_minute`."""
        return max(1, 60 * MICROSECONDS // self.per_minute)

    @property
    def most_ahead_us(self) -> int:
        """How far ahead of now `due` may be once a request is counted: `burst` steps (never
        more than the minute's `per_minute`)."""
        return self.step_us * max(1, min(self.burst, self.per_minute))


@dataclass(frozen=True)
class Refusal:
    """The keys with no allowance left, and the moment (seconds since the epoch) all of them
    will have one again."""

    over: list[str]
    until: float

    def retry_after(self, now: float) -> int:
        """Whole seconds until `until` (at least 1): a Retry-After value."""
        return max(1, math.ceil(self.until - now))


def connection() -> BaseDatabaseWrapper:
    """The connection of the database the paces are in."""
    return connections[router.db_for_write(RatePace)]


def now_us(now: float | None = None) -> int:
    return int((time.time() if now is None else now) * MICROSECONDS)


def upsert_statement(rows: str) -> str:
    """The upsert that counts one request for each (key, now + step) row the SQL `rows` gives
    (a VALUES list or a SELECT), moving each key's `due` to max(due, now) + step; it returns
    each key with its new `due`. Its two parameters after those of `rows` are `now` twice."""
    q = connection().ops.quote_name
    table, key, due = q(RatePace._meta.db_table), q("key"), q("due_us")
    # max(due, now) + step = (now + step) + max(due - now, 0): the row offered is now + step.
    return (
        f"INSERT INTO {table} ({key}, {due}) {rows} "
        f"ON CONFLICT ({key}) DO UPDATE SET {due} = excluded.{due} "
        f"+ CASE WHEN {table}.{due} > %s THEN {table}.{due} - %s ELSE 0 END "
        f"RETURNING {key}, {due}"
    )


def over_statement(paces_cte: str) -> str:
    """A SELECT of the rows, among the CTE `paces_cte` (key, step, most), that have no allowance
    left; its one parameter is `now`. For statements that count only when nothing is over."""
    q = connection().ops.quote_name
    table, key, due = q(RatePace._meta.db_table), q("key"), q("due_us")
    return (
        f"SELECT FROM {table} AS t JOIN {paces_cte} AS p ON t.{key} = p.key "
        f"WHERE t.{due} - CAST(%s AS bigint) + p.step > p.most"
    )


def refusal_after(paces: list[Pace], dues: dict[str, int], now: int) -> Refusal | None:
    """The refusal, if a key's `due` after counting this request is past its allowance."""
    waits = {
        pace.key: dues[pace.key] - pace.most_ahead_us - now
        for pace in paces
        if dues.get(pace.key, 0) - now > pace.most_ahead_us
    }
    if not waits:
        return None
    return Refusal(over=list(waits), until=(now + max(waits.values())) / MICROSECONDS)


def take(paces: list[Pace], now: float | None = None) -> Refusal | None:
    """Count one request against each key; the refusal when a key has no allowance left.

    Run it in a transaction, and roll it back on a refusal (raise inside transaction.atomic):
    the refused request must not count."""
    at = now_us(now)
    rows = ", ".join(["(%s, %s)"] * len(paces))
    params: list[str | int] = [value for pace in paces for value in (pace.key, at + pace.step_us)]
    with connection().cursor() as cursor:
        cursor.execute(upsert_statement(f"VALUES {rows}"), [*params, at, at])
        dues = {key: int(due) for key, due in cursor.fetchall()}
    return refusal_after(paces, dues, at)


def refusal(paces: list[Pace], now: float | None = None) -> Refusal | None:
    """Whether a request now would be refused, and until when, without counting it."""
    at = now_us(now)
    dues = dict(RatePace.objects.filter(key__in=[pace.key for pace in paces]).values_list("key", "due_us"))
    # The `due` this request would have made: max(due, now) + step.
    after = {pace.key: max(dues.get(pace.key, 0), at) + pace.step_us for pace in paces}
    return refusal_after(paces, after, at)


def forget_idle(now: float | None = None) -> int:
    """Delete the keys whose `due` has passed (the same as no row); how many went."""
    deleted, _ = RatePace.objects.filter(due_us__lte=now_us(now)).delete()
    return deleted
