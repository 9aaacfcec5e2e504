"""Database sessions, read with one plain SELECT.

Every logged-in request reads its session. Django's database backend builds that query with the
ORM, which costs ~0.5 ms of CPU a request here (bench/incidents.py's logged-in no-op floor); the
same statement as plain SQL costs ~0.06 ms. Everything else (saving, expiry, cycling keys,
clearsessions) is Django's database backend unchanged, on the same table.
"""

import functools
from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        """The session's data; {} (and no key, so a new one is made on save) if it is missing,
        expired or tampered with, as Django's database backend does."""
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(
                _select_live_session(alias),
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])


@functools.cache
def _select_live_session(alias: str) -> str:
    table = connections[alias].ops.quote_name(Session._meta.db_table)
    return f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s"  # noqa: S608
