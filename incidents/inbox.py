"""The incident inbox: accepted browser reports waiting to be grouped, and ingest's rate counts.

On SQLite the inbox is a database file of its own (settings.DATABASES[ALIAS], beside the main
file). SQLite lets one writer at a time into a database file, and grouping writes a batch of
occurrences in one transaction (~13 ms for 50). In the main file, every ingest request that came
meanwhile waited for it, and paid the main file's checkpoints. In its own small file, ingest's
one-row transactions wait only for each other, and grouping reads the inbox without taking its
lock. bench/incidents.py, before and after: p99 at 200 reports/s 52 -> 12-16 ms, ingest with
the worker beside it 0.38 -> 0.44-0.45x /healthz.

A report therefore leaves the inbox after the main database has recorded it, not in the same
transaction, and grouping makes that exactly-once itself: grouping.pending_reports_group.

On PostgreSQL, which has no such lock, there is no second database: the inbox is the main one.
"""

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

ALIAS = "incident_inbox"  # settings.py names it too
# (app label, model): the rate counts of every limit (academy/ratelimit.py, academy/pacing.py)
# live here too, ingest counting every report; incidents.ratebucket is their old home, for the
# migrations that made it.
MODELS = frozenset(
    {
        ("incidents", "pendingreport"),
        ("incidents", "ratebucket"),
        ("academy", "ratebucket"),
        ("academy", "ratepace"),
    }
)


def alias() -> str:
    """The database alias the inbox is in."""
    return ALIAS if ALIAS in settings.DATABASES else DEFAULT_DB_ALIAS


def connection() -> BaseDatabaseWrapper:
    return connections[alias()]


def _in_inbox(model: type[Model] | Model) -> bool:
    # `_meta` of the instance, not of its type: request.user is a lazy proxy of one.
    return (model._meta.app_label, model._meta.model_name) in MODELS


class Router:
    """Sends the inbox's models to the inbox database, and everything else elsewhere."""

    # Everything else is in "default", also when reached from a pending report (pending.actor):
    # left to Django, that would be looked for in the report's own database.
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return alias() if _in_inbox(model) else DEFAULT_DB_ALIAS

    db_for_write = db_for_read

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # A pending report names its sender (a user in the main database) by id, with no
        # database constraint: models.PendingReport.actor.
        return True if _in_inbox(obj1) or _in_inbox(obj2) else None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        if ALIAS not in settings.DATABASES:
            return None
        inbox_model = (app_label, model_name) in MODELS
        if db == ALIAS:
            return inbox_model
        return False if inbox_model else None
