import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def give_each_waiting_report_its_key(apps, schema_editor):
    # A key per report: AddField with default=uuid4 would give every existing row the same one.
    PendingReport = apps.get_model("incidents", "PendingReport")
    reports = PendingReport.objects.using(schema_editor.connection.alias)
    for pk in reports.filter(key__isnull=True).values_list("pk", flat=True):
        reports.filter(pk=pk).update(key=uuid.uuid4())


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
    ]
