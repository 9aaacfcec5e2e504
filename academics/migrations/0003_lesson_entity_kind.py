"""One word for a lesson: entity kind "schedule" (an alias the Incident Hub accepted) becomes
"lesson" wherever it was stored, in incident occurrences' entities and in audit events.

The reverse is a no-op: "lesson" rows cannot tell which were once "schedule", and both meant the
same page.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef

OLD, NEW = "schedule", "lesson"


def forwards(apps, schema_editor):
    entities = apps.get_model("incidents", "OccurrenceEntity").objects
    # An occurrence that named both "schedule:7" and "lesson:7" keeps one (the pair is unique).
    twin = entities.filter(kind=NEW, occurrence_id=OuterRef("occurrence_id"), entity_id=OuterRef("entity_id"))
    entities.filter(kind=OLD).filter(Exists(twin)).delete()
    entities.filter(kind=OLD).update(kind=NEW)
    apps.get_model("audit", "AuditEvent").objects.filter(entity_kind=OLD).update(entity_kind=NEW)


class Migration(migrations.Migration):
    dependencies = [
        ("academics", "0002_lessonseries_lesson_task_taskinstance_attendance_and_more"),
        ("audit", "0001_initial"),
        ("incidents", "0005_triage_alerts_assignment"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
