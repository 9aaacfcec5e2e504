"""Django's ModelBackend, with the per-request user lookup as plain SQL.

Every logged-in request loads its user (AuthenticationMiddleware). ModelBackend builds that
query with the ORM (~0.7 ms of CPU a request here), and a raw queryset still works out the
model's columns and their converters on every call (~0.3 ms). Here the SELECT is plain SQL, and
the row becomes a User the way the ORM makes one (`Model.from_db`, after the converters the ORM
would apply), with the converters worked out once per connection: ~0.1 ms on SQLite
(bench/incidents.py's logged-in no-op floor shows the difference). Login, permissions and the
session hash check are ModelBackend's, unchanged.
"""

import functools
import weakref
from collections.abc import Callable
from typing import Any

from django.contrib.auth import backends
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

from accounts.models import User

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]

# Per connection object (each thread has its own), dropped with it.
_converters: "weakref.WeakKeyDictionary[BaseDatabaseWrapper, list[tuple[Any, list[Converter]]]]" = (
    weakref.WeakKeyDictionary()
)


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: object) -> User | None:
        """The user with this primary key if they may log in (active), else None."""
        alias = router.db_for_read(User)
        connection = connections[alias]
        pk = User._meta.get_field("id").to_python(user_id)
        with connection.cursor() as cursor:
            cursor.execute(_select_by_pk(alias), [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for i, (column, converters) in enumerate(_column_converters(connection)):
            for convert in converters:
                values[i] = convert(values[i], column, connection)
        user = User.from_db(alias, _attnames(), values)
        return user if self.user_can_authenticate(user) else None


@functools.cache
def _select_by_pk(alias: str) -> str:
    q = connections[alias].ops.quote_name
    columns = ", ".join(q(str(field.column)) for field in User._meta.concrete_fields)
    return f"SELECT {columns} FROM {q(User._meta.db_table)} WHERE {q('id')} = %s"  # noqa: S608


@functools.cache
def _attnames() -> list[str]:
    return [field.attname for field in User._meta.concrete_fields]


def _column_converters(connection: BaseDatabaseWrapper) -> list[tuple[Any, list[Converter]]]:
    """Each selected column with the converters the ORM applies to its values: the backend's,
    then the field's (SQLite's datetimes made aware, for one)."""
    if connection not in _converters:
        columns = [field.get_col(User._meta.db_table) for field in User._meta.concrete_fields]
        _converters[connection] = [
            (column, connection.ops.get_db_converters(column) + column.get_db_converters(connection))
            for column in columns
        ]
    return _converters[connection]
