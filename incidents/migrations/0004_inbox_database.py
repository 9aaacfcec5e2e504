import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, migrations, models

OLD_INBOX_TABLES = ("incidents_pendingreport", "incidents_ratebucket")


def give_each_waiting_report_its_key(apps, schema_editor):
    # A key per report: AddField with default=uuid4 would give every existing row the same one.
    PendingReport = apps.get_model("incidents", "PendingReport")
    reports = PendingReport.objects.using(schema_editor.connection.alias)
    for pk in reports.filter(key__isnull=True).values_list("pk", flat=True):
        reports.filter(pk=pk).update(key=uuid.uuid4())


def move_waiting_reports_out_of_the_main_database(apps, schema_editor):
    """On SQLite the inbox is now a file of its own (incidents/inbox.py). An install that had it in
    the main file may have reports there still waiting to be grouped: they move to the new
    inbox, and the main file's old inbox tables go (the rate counts only last a minute)."""
    inbox = schema_editor.connection
    if inbox.alias == DEFAULT_DB_ALIAS:
        return  # PostgreSQL: the inbox stays in the one database
    main = connections[DEFAULT_DB_ALIAS]
    old = [table for table in OLD_INBOX_TABLES if table in main.introspection.table_names()]
    if "incidents_pendingreport" in old:
        with main.cursor() as cursor:
            cursor.execute(
                'SELECT "actor_id", "capture", "received_at" FROM "incidents_pendingreport" ORDER BY "id"'
            )
            waiting = cursor.fetchall()
        with inbox.cursor() as cursor:
            cursor.executemany(
                'INSERT INTO "incidents_pendingreport" ("actor_id", "capture", "received_at", "key") '
                "VALUES (%s, %s, %s, %s)",
                [
                    (actor_id, capture, received_at, uuid.uuid4().hex)
                    for actor_id, capture, received_at in waiting
                ],
            )
    with main.cursor() as cursor:
        for table in old:
            cursor.execute(f'DROP TABLE "{table}"')


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_occurrence_fk_indexes_covered"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="occurrence",
            name="inbox_report_key",
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="pendingreport",
            name="actor",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="pendingreport",
            name="key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(
            give_each_waiting_report_its_key,
            migrations.RunPython.noop,
            hints={"model_name": "pendingreport"},
        ),
        migrations.AlterField(
            model_name="pendingreport",
            name="key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.RunPython(
            move_waiting_reports_out_of_the_main_database,
            migrations.RunPython.noop,
            hints={"model_name": "pendingreport"},
        ),
    ]
