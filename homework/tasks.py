"""Periodic clean-up of uploads a browser walked away from. Thin: it calls the service."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from homework.upload_sessions import upload_sessions_expire
from jobs.periodic import register_periodic

# An upload untouched this long is abandoned: its partial file or multipart upload is removed.
ABANDONED_AFTER = timedelta(hours=24)


@task
def expire_abandoned_uploads() -> int:
    return upload_sessions_expire(older_than=timezone.now() - ABANDONED_AFTER)


register_periodic("homework.expire_uploads", "17 * * * *", expire_abandoned_uploads)
