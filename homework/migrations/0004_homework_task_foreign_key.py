"""Homework.task becomes a real foreign key to the academic task (it was a plain task_id kept "to
keep the apps independent"; homework -> academics is the app graph's own direction).

Existing ids become the key; ids of tasks that no longer exist become NULL. The column keeps its
name (task_id): a new key column is filled, the old column dropped, the new one renamed to it.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F


def ids_to_key(apps, schema_editor):
    Homework = apps.get_model("homework", "Homework")
    Task = apps.get_model("academics", "Task")
    Homework.objects.filter(task_id__in=Task.objects.values("pk")).update(task_key_id=F("task_id"))


def key_to_ids(apps, schema_editor):
    Homework = apps.get_model("homework", "Homework")
    Homework.objects.filter(task_key__isnull=False).update(task_id=F("task_key_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("academics", "0002_lessonseries_lesson_task_taskinstance_attendance_and_more"),
        ("homework", "0003_homework_file"),
    ]

    operations = [
        migrations.AddField(
            model_name="homework",
            name="task_key",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="homework",
                to="academics.task",
            ),
        ),
        migrations.RunPython(ids_to_key, key_to_ids),
        migrations.RemoveField(model_name="homework", name="task_id"),
        migrations.RenameField(model_name="homework", old_name="task_key", new_name="task"),
    ]
