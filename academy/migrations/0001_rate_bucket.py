from django.db import migrations, models


class Migration(migrations.Migration):
    """The rate counts, moved from incidents (which used them for ingest alone) to the kernel so
    that the login and password-reset throttles count in them too; incidents 0006 moves the rows."""

    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="RateBucket",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=100)),
                (
                    "window_end",
                    models.BigIntegerField(help_text="When the window ends, in seconds since the epoch."),
                ),
                ("hits", models.PositiveIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("key", "window_end"), name="rate_bucket_key_window_once")
                ],
            },
        ),
    ]
