"""Indexes that give each tab of the Jobs page its filter, its order and the job id at once.

* (status, finished_at, enqueued_at, id): the Failed and Succeeded tabs sort by finished_at,
  then enqueued_at; the index gives that whole order, so a page's 25 rows are read from it and
  the scan stops (ties in finished_at broke the order of (status, finished_at)).
* (status, enqueued_at, id): the Pending and Running tabs.

The id at the end makes each index covering for the capped tab counts and the Failed tab's
"not retried" check (which joins on the id): without it every counted row cost a lookup in the
table (SQLite keys this table by rowid, so an index entry does not hold the id). They replace
(status, finished_at) and (status, enqueued_at) of 0002, whose columns they start with.

Plain SQL on django-tasks-db's table, as in 0002 (the same on SQLite and PostgreSQL).
"""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"
REPLACED = {
    "jobs_result_status_finished": ("jobs_result_finished_order", "status, finished_at, enqueued_at, id"),
    "jobs_result_status_enqueued": ("jobs_result_enqueued_order", "status, enqueued_at, id"),
}
OLD_COLUMNS = {
    "jobs_result_status_finished": "status, finished_at",
    "jobs_result_status_enqueued": "status, enqueued_at",
}


def create(name: str, columns: str) -> str:
    return f'CREATE INDEX IF NOT EXISTS "{name}" ON "{TABLE}" ({columns})'


def drop(name: str) -> str:
    return f'DROP INDEX IF EXISTS "{name}"'


class Migration(migrations.Migration):
    dependencies = [("jobs", "0003_jobinfo_previous_partial_index")]

    operations = [
        migrations.RunSQL(
            sql=[create(new, columns), drop(old)],
            reverse_sql=[create(old, OLD_COLUMNS[old]), drop(new)],
        )
        for old, (new, columns) in REPLACED.items()
    ]
