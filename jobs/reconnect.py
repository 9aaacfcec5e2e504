"""The worker outlives a database blip (failover, restart, pg_terminate_backend): it reconnects."""

import logging
import time
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.utils import is_locked_database_exception

logger = logging.getLogger("jobs.worker")

RECONNECT_ATTEMPTS = 10  # 0.1 s, 0.2 s, ... apart: about 5 s, as long as a failover or restart takes


def lost_connection(exc: Exception) -> bool:
    """The database went away under us: not SQLite's "database is locked", which the claim
    treats as "nothing to claim now"."""
    if isinstance(exc, InterfaceError):
        return True
    return isinstance(exc, OperationalError) and not is_locked_database_exception(exc)


def reconnecting[T](what: str, call: Callable[[], T], attempts: int = RECONNECT_ATTEMPTS) -> T:
    """Run `call`; while the database connection is lost, reconnect and run it again.

    Only for calls that are safe to repeat: a claim is one transaction, and a result is recorded
    on condition of the status it expects, so a try that committed before its answer was lost
    changes nothing the second time."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except (InterfaceError, OperationalError) as exc:
            if not lost_connection(exc) or attempt == attempts:
                raise
            logger.warning("%s: database connection lost (%s); reconnecting", what, str(exc).strip())
            connections.close_all()
            time.sleep(min(1.0, 0.1 * attempt))
    raise AssertionError("unreachable")
