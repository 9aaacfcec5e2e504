"""Logged-in sessions name the backend that logged them in, and Django logs a session out when
that backend is no longer in AUTHENTICATION_BACKENDS. accounts.backends.ModelBackend (a
plain-SQL user lookup) is gone in favour of Django's own ModelBackend: the sessions that name the
old one are rewritten to name Django's, so nobody is logged out by the change."""

from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations, router

OLD = "accounts.backends.ModelBackend"
NEW = "django.contrib.auth.backends.ModelBackend"
BACKEND_KEY = "_auth_user_backend"  # django.contrib.auth.BACKEND_SESSION_KEY


def _rename(apps, schema_editor, old: str, new: str) -> None:
    Session = apps.get_model("sessions", "Session")
    if not router.allow_migrate_model(schema_editor.connection.alias, Session):
        return  # SQLite's incident inbox database has no sessions
    store = SessionStore()
    sessions = Session.objects.using(schema_editor.connection.alias)
    for session in sessions.filter(session_data__isnull=False).iterator():
        data = store.decode(session.session_data)  # {} when it does not verify
        if data.get(BACKEND_KEY) == old:
            data[BACKEND_KEY] = new
            sessions.filter(pk=session.pk).update(session_data=store.encode(data))


def forwards(apps, schema_editor):
    _rename(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
