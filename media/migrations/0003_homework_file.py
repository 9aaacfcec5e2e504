"""Media forgets homework and students (issue 17): homework's 0003 has copied each item's homework
into a HomeworkFile link, whose homework names the student. Reversible: going back re-adds the
columns and fills them from the links."""

from django.db import migrations, models


def fill_back(apps, schema_editor):
    MediaItem = apps.get_model("media", "MediaItem")
    HomeworkFile = apps.get_model("homework", "HomeworkFile")
    for link in HomeworkFile.objects.select_related("homework"):
        MediaItem.objects.filter(pk=link.media_item_id).update(
            homework_id=link.homework_id, student_id=link.homework.student_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("homework", "0003_homework_file"),
        ("media", "0002_media_page_indexes"),
    ]

    operations = [
        # Nullable first, so going back can re-add the column before the links fill it.
        migrations.AlterField(
            model_name="mediaitem",
            name="student",
            field=models.ForeignKey(
                null=True, on_delete=models.deletion.PROTECT, related_name="media", to="academics.student"
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, fill_back),
        migrations.RemoveField(model_name="mediaitem", name="homework"),
        migrations.RemoveField(model_name="mediaitem", name="student"),
    ]
