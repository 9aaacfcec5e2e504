"""Database sessions, read with one plain SELECT.

Every logged-in request reads its session. Django's database backend builds that query with the
ORM, which costs ~0.5 ms of CPU a request here (bench/incidents.py's logged-in no-op floor); the
same statement as plain SQL costs ~0.06 ms. Everything else (saving, expiry, cycling keys,
clearsessions) is Django's database backend unchanged, on the same table.
"""

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        """The session's data; {} (and no key, so a new one is made on save) if it is missing,
        expired or tampered with, as Django's database backend does."""
        connection = connections[router.db_for_read(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
