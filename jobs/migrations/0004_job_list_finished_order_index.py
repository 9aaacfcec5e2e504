"""The Failed and Succeeded tabs sort by finished_at, then enqueued_at: an index of (status,
finished_at, enqueued_at) gives the database that whole order, so it reads a page's 25 rows
from the index and stops, instead of sorting every failed job (ties in finished_at broke the
index order of (status, finished_at)). It replaces that index: the chart's range counts and the
Succeeded tab's week use its first two columns as before.

Plain SQL on django-tasks-db's table, as in 0002 (the same on SQLite and PostgreSQL).
"""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"
OLD = ("jobs_result_status_finished", "status, finished_at")
NEW = ("jobs_result_status_finished_enqueued", "status, finished_at, enqueued_at")


def create(name: str, columns: str) -> str:
    return f'CREATE INDEX IF NOT EXISTS "{name}" ON "{TABLE}" ({columns})'


def drop(name: str) -> str:
    return f'DROP INDEX IF EXISTS "{name}"'


class Migration(migrations.Migration):
    dependencies = [("jobs", "0003_jobinfo_previous_partial_index")]

    operations = [
        migrations.RunSQL(sql=[create(*NEW), drop(OLD[0])], reverse_sql=[create(*OLD), drop(NEW[0])]),
    ]
