"""Indexes for the Jobs page on django-tasks-db's own table (its app's migrations have none that
fit): each tab filters by status and sorts by a time, and the Task filter lists the task paths.

The table belongs to another app, so these are plain SQL (the same on SQLite and PostgreSQL);
Django's model state does not know them, and they do not touch it.
"""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"
INDEXES = {
    "jobs_result_status_enqueued": "status, enqueued_at",
    "jobs_result_status_finished": "status, finished_at",
    "jobs_result_task_path": "task_path",
}


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{TABLE}" ({columns})',
            reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
        )
        for name, columns in INDEXES.items()
    ]
