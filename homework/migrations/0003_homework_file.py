"""Homework links to its files (HomeworkFile) instead of each media item pointing at its homework:
media becomes a generic pipeline (issue 17). Copies every MediaItem.homework into a link; media's
0003 then drops the old columns."""

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    MediaItem = apps.get_model("media", "MediaItem")
    HomeworkFile = apps.get_model("homework", "HomeworkFile")
    linked = MediaItem.objects.filter(homework__isnull=False).values_list("pk", "homework_id")
    HomeworkFile.objects.bulk_create(
        [HomeworkFile(media_item_id=item_id, homework_id=homework_id) for item_id, homework_id in linked],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("homework", "0002_upload_session"),
        ("media", "0002_media_page_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="HomeworkFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "homework",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="files",
                        to="homework.homework",
                    ),
                ),
                (
                    "media_item",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="homework_file",
                        to="media.mediaitem",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="homework",
            name="media",
            field=models.ManyToManyField(
                related_name="+", through="homework.HomeworkFile", to="media.mediaitem"
            ),
        ),
        # Backwards, media's 0003 has already put the columns back and filled them from the links.
        migrations.RunPython(copy_links, migrations.RunPython.noop),
    ]
