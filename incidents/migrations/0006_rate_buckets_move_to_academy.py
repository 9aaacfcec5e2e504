from django.db import migrations

# The open windows' counts go along, so that a deploy does not reset anyone's limit. The old rows
# name their one-minute window by its minute since the epoch, the new ones by its end in seconds.


def forwards(apps, schema_editor):
    alias = schema_editor.connection.alias
    old, new = apps.get_model("incidents", "RateBucket"), apps.get_model("academy", "RateBucket")
    new.objects.using(alias).bulk_create(
        [
            new(key=b.key, window_end=(b.minute + 1) * 60, hits=b.hits)
            for b in old.objects.using(alias).iterator()
        ],
        batch_size=500,
        ignore_conflicts=True,
    )


def backwards(apps, schema_editor):
    # Only the one-minute windows were the old table's: ingest's, keyed "user:" and "ip:".
    alias = schema_editor.connection.alias
    old, new = apps.get_model("incidents", "RateBucket"), apps.get_model("academy", "RateBucket")
    rows = new.objects.using(alias).filter(key__regex=r"^(user|ip):").iterator()
    old.objects.using(alias).bulk_create(
        [old(key=b.key, minute=b.window_end // 60 - 1, hits=b.hits) for b in rows],
        batch_size=500,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    """Ingest's rate counts are academy.RateBucket now (academy/ratelimit.py), one table for
    every limit; in the incident inbox's database still (incidents/inbox.py)."""

    dependencies = [
        ("incidents", "0005_triage_alerts_assignment"),
        ("academy", "0001_rate_bucket"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, hints={"model_name": "ratebucket"}),
        migrations.DeleteModel(name="RateBucket"),
    ]
