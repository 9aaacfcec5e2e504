"""Every write of the media app. Keyword-only, one transaction each, with its audit event.

API (keep stable; the homework app calls the first one):

    media_item_create_from_upload(
        *, actor, storage_key, original_name, checksum_sha256="", optimise=True, audit_context=None,
    ) -> MediaItem
        Record a file the browser has finished uploading to `storage_key`. Sniffs the type from
        the stored bytes (never the name), checks it is allowed and within the limit for its kind
        (media.sniff), creates the item and its "original" variant, audits "media.uploaded" (with
        the caller's `audit_context`, e.g. the homework it is for), and for a video dispatches
        ProcessVideoProof once (dispatch key "media:<id>") on commit: callers need not dispatch
        it themselves. On refusal (415 type_not_allowed, 413 too_large, 404 object_missing) the
        stored object is deleted, so nothing partial is left, and the DomainError propagates; on
        503 storage_unavailable (transient) the object is kept so the caller can retry. Media
        knows no owners: the caller checks who may hand the file in, and links the item to its
        own records in the same transaction (homework.services.homework_file_add).

    media_optimise_request(*, actor, item) -> OptimiseQueued(item_id, job_id)
        Dispatch ProcessVideoProof for an eligible item (a video with exactly one variant).
        Raises Conflict 409 `already_optimised`, `already_queued` or `not_eligible`. Stands alone:
        50 concurrent calls create one job.

    media_optimise_all_eligible(*, actor) -> BulkOptimise(queued=[ids], skipped=[ids])

    media_item_delete(*, actor, item) -> None
        Delete an item, its variants and (after commit) their stored objects.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction

from academy.errors import Conflict, DomainError
from audit.services import record_event
from media import jobstate, sniff, storage
from media.filenames import clean_name
from media.models import MediaItem, MediaVariant

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("media.services")


@dataclass(frozen=True)
class OptimiseQueued:
    item_id: int
    job_id: str


@dataclass
class BulkOptimise:
    queued: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def media_item_create_from_upload(
    *,
    actor: User,
    storage_key: str,
    original_name: str,
    checksum_sha256: str = "",
    optimise: bool = True,
    audit_context: dict[str, Any] | None = None,
) -> MediaItem:
    try:
        info = storage.stat(storage_key)
        content_type = sniff.sniff(storage.read_head(storage_key))
        kind = sniff.check_allowed(content_type, info.size)
        with transaction.atomic():
            item = MediaItem.objects.create(
                uploader=actor,
                original_name=clean_name(original_name),
                kind=kind,
                content_type=content_type,
                size_bytes=info.size,
            )
            MediaVariant.objects.create(
                item=item,
                role=MediaVariant.Role.ORIGINAL,
                storage_key=storage_key,
                size_bytes=info.size,
                content_type=content_type,
                checksum_sha256=checksum_sha256,
            )
            job_id = ""
            if optimise and kind == MediaItem.Kind.VIDEO:
                job_id, _ = jobstate.dispatch_optimise(item.pk)
            record_event(
                actor=actor,
                action="media.uploaded",
                entity=item,
                after={
                    **(audit_context or {}),
                    "kind": kind,
                    "content_type": content_type,
                    "size": info.size,
                    "key": storage_key,
                    "job_id": job_id,
                },
            )
    except storage.StorageUnavailable:
        raise  # the upload may be fine: keep it, the caller can try again
    except DomainError:
        _delete_quietly(storage_key)
        raise
    return item


@transaction.atomic
def media_optimise_request(*, actor: User, item: MediaItem) -> OptimiseQueued:
    # Lock the row: concurrent requests for one item queue here, then see the job (design rule 4:
    # eligibility comes from the variants and the active job, never from a flag).
    locked = MediaItem.objects.select_for_update().get(pk=item.pk)
    this = MediaItem.objects.filter(pk=locked.pk)  # the queryset's one definition of eligible
    if this.optimised().exists():
        raise Conflict("already_optimised", "This video is already optimised.")
    if not this.original_only().exists():
        raise Conflict("not_eligible", "Only a video with just its original can be optimised.")
    if this.filter(jobstate.refused()).exists():
        raise Conflict(
            "video_refused",
            "This video was refused when it was optimised (its message says why); trying again would "
            "be refused too. Ask for a new recording.",
        )
    # The job part of "eligible" (none under way) is the dispatch key's: one active job per item.
    job_id, created = jobstate.dispatch_optimise(locked.pk)
    if not created:
        raise Conflict(
            "already_queued", "This video is already queued for optimisation.", details={"job_id": job_id}
        )
    record_event(actor=actor, action="media.optimise_requested", entity=locked, after={"job_id": job_id})
    return OptimiseQueued(item_id=locked.pk, job_id=job_id)


def media_optimise_all_eligible(*, actor: User) -> BulkOptimise:
    """Dispatch each eligible item once; each in its own transaction so one refusal stops nothing."""
    from media.queries import eligible_ids

    result = BulkOptimise()
    for item_id in eligible_ids():
        try:
            media_optimise_request(actor=actor, item=MediaItem(pk=item_id))
        except Conflict:
            result.skipped.append(item_id)
        else:
            result.queued.append(item_id)
    return result


def media_item_delete(*, actor: User, item: MediaItem) -> None:
    with transaction.atomic():
        locked = MediaItem.objects.select_for_update().get(pk=item.pk)
        keys = list(locked.variants.values_list("storage_key", flat=True))
        snapshot: dict[str, Any] = {
            "original_name": locked.original_name,
            "keys": keys,
        }
        record_event(actor=actor, action="media.deleted", entity=locked, snapshot=snapshot)
        locked.delete()
        transaction.on_commit(lambda: _delete_all_quietly(keys))


def _delete_all_quietly(keys: list[str]) -> None:
    for key in keys:
        _delete_quietly(key)


def _delete_quietly(key: str) -> None:
    try:
        storage.delete(key)
    except DomainError:
        logger.warning("could not delete stored object %s", key)
