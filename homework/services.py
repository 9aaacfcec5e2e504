"""Every write of the homework app itself: keyword-only, one transaction each, audited.

    homework_file_add(*, actor, homework, storage_key, original_name)   a stored file becomes one
        of the homework's files (media.services records it; the link is homework's).
    homework_review(*, actor, homework, comment)   admin: audited.

The upload protocol that brings files in (sessions, chunks, parts, staging keys) is in
homework/upload_sessions.py; what a declaration may be is in homework/upload_limits.py.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from academy.errors import DomainError
from accounts.models import User
from audit.services import record_event
from homework.models import Homework, HomeworkFile
from media import storage

if TYPE_CHECKING:
    from media.models import MediaItem

logger = logging.getLogger("homework.services")


def homework_file_add(
    *, actor: User, homework: Homework, storage_key: str, original_name: str, optimise: bool = True
) -> MediaItem:
    """Record a stored file as one of `homework`'s files: media checks and records the file (and
    removes it when it refuses it), homework links it, in one transaction. Only a customer of the
    homework's student may hand it in (a 404 otherwise, and the stored object is removed)."""
    from academics.students.queries import students_visible_to
    from media.services import media_item_create_from_upload

    if not students_visible_to(actor).filter(pk=homework.student_id).exists():
        _delete_quietly(storage_key)
        raise DomainError("student_not_found", "We could not find that student.", 404)
    with transaction.atomic():
        item = media_item_create_from_upload(
            actor=actor,
            storage_key=storage_key,
            original_name=original_name,
            optimise=optimise,
            audit_context={"student": homework.student_id, "homework": homework.pk},
        )
        HomeworkFile.objects.create(homework=homework, media_item=item)
    return item


def _delete_quietly(key: str) -> None:
    try:
        storage.delete(key)
    except DomainError:
        logger.warning("could not delete stored object %s", key)


@transaction.atomic
def homework_review(*, actor: User, homework: Homework, comment: str) -> Homework:
    """Mark homework reviewed with a comment (re-reviewing updates the comment), audited."""
    locked = Homework.objects.select_for_update().get(pk=homework.pk)
    before = {"status": locked.status, "review_comment": locked.review_comment}
    locked.status = Homework.Status.REVIEWED
    locked.review_comment = comment.strip()
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.save(update_fields=["status", "review_comment", "reviewed_by", "reviewed_at"])
    record_event(
        actor=actor,
        action="homework.reviewed",
        entity=locked,
        before=before,
        after={"status": locked.status, "review_comment": locked.review_comment},
    )
    return locked
