"""Django's ModelBackend, with the per-request user lookup as plain SQL.

Every logged-in request loads its user (AuthenticationMiddleware). ModelBackend builds that
query with the ORM, ~0.5 ms of CPU a request here; the same SELECT as a raw query is ~0.2 ms
(bench/incidents.py's logged-in no-op floor shows the difference). Login, permissions and the
session hash check are ModelBackend's, unchanged.
"""

import functools

from django.contrib.auth import backends
from django.db import connections, router

from accounts.models import User


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: object) -> User | None:
        """The user with this primary key if they may log in (active), else None."""
        pk = User._meta.get_field("id").to_python(user_id)
        users = list(User._default_manager.raw(_select_by_pk(router.db_for_read(User)), [pk]))
        return users[0] if users and self.user_can_authenticate(users[0]) else None


@functools.cache
def _select_by_pk(alias: str) -> str:
    q = connections[alias].ops.quote_name
    columns = ", ".join(q(str(field.column)) for field in User._meta.concrete_fields)
    return f"SELECT {columns} FROM {q(User._meta.db_table)} WHERE {q('id')} = %s"  # noqa: S608
