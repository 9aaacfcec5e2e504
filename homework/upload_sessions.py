"""The upload protocol of the homework app (JSON endpoints in homework/upload_views.py call
these): keyword-only writes, one transaction each, audited. What a declaration may be (kind, size,
daily caps, part size) is in homework/upload_limits.py; the finished file becomes one of the
homework's files through homework.services.homework_file_add.

    upload_session_create(*, actor, student, name, size, content_type, homework=None, title="")
        Refuses up front what the declaration already shows is not allowed (type by declared
        type or extension, size by the limit for that kind). Creates the homework on its first
        file. Local: the browser then sends chunks. S3: presigned PUT (one part) or a multipart
        upload with equal parts and one presigned URL per part.
    upload_session_append(*, actor, session, stream, offset, length)        local only
        Appends a raw chunk (read in blocks, never whole). After the first chunk the content is
        sniffed and a disallowed type is refused at once, the partial file removed.
    upload_session_complete(*, actor, session)
        S3 multipart: completes from the store's own list of parts (checking they are equal).
        S3 single PUT: the browser PUT to a staging key ("incoming/..."); it is copied server-side
        to its final key and the staging object deleted, so a replayed PUT URL changes nothing
        checked. HEAD of the final key confirms the size; media.services sniffs, checks limits,
        records the media item with its original variant and dispatches ProcessVideoProof.
    upload_session_abort(*, actor, session)   removes temp chunks / aborts the multipart upload.
    upload_sessions_expire(*, older_than)     cleanup for sessions a browser walked away from, and
        for staging objects a late PUT left behind.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from academy.errors import Conflict, DomainError, NotFound
from accounts.models import User
from audit.services import record_event
from homework.models import Homework, UploadSession
from homework.services import homework_file_add
from homework.upload_limits import check_size, check_upload_caps, declared_kind, part_size_for
from media import sniff, storage
from media.filenames import clean_name

if TYPE_CHECKING:
    from academics.models import Student
    from media.models import MediaItem

logger = logging.getLogger("homework.upload_sessions")

# A single presigned PUT can be replayed until it expires, so the browser PUTs to a staging key and
# "complete" copies the object (server-side) to its final key, which no URL handed out names.
STAGING_PREFIX = "incoming/"
PUT_URL_SECONDS = 15 * 60


@dataclass
class UploadPlan:
    """What the browser needs to send the file."""

    session: UploadSession
    chunk_size: int = 0
    put_url: str = ""
    part_urls: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        s = self.session
        return {
            "id": s.pk,
            "homework": s.homework_id,
            "student": s.student_id,
            "backend": s.backend,
            "size": s.declared_size,
            "chunk_size": self.chunk_size,
            "part_size": s.part_size,
            "put_url": self.put_url,
            "part_urls": self.part_urls,
            "content_type": s.declared_type,
        }


def upload_session_create(
    *,
    actor: User,
    student: Student,
    name: str,
    size: int,
    content_type: str,
    homework: Homework | None = None,
    title: str = "",
    task_id: int | None = None,
) -> UploadPlan:
    name = clean_name(name)  # no control or bidi characters in what pages and downloads show
    if size <= 0:
        raise DomainError("empty_file", f"{name} is empty.", 400)
    kind = declared_kind(name, content_type)
    check_size(name, size, kind)
    if homework is not None and homework.student_id != student.pk:
        raise NotFound("homework_not_found", "We could not find that homework.")
    if homework is not None and homework.status == Homework.Status.REVIEWED:
        raise Conflict("homework_reviewed", "This homework has already been reviewed; start a new one.")
    check_upload_caps(actor, name, size)  # before any storage call; again below, under a lock
    backend = storage.backend()
    key = storage.new_key("homework", name)
    upload_id = ""
    part_size = 0
    if backend == "s3":
        part_size = part_size_for(size)
        if size > part_size:
            # A completed multipart upload takes no more parts, so its part URLs die with it.
            upload_id = storage.multipart_create(key, content_type=content_type or "application/octet-stream")
        else:
            key = STAGING_PREFIX + key
    try:
        with transaction.atomic():
            # One customer's creates queue on their own row, so two tabs cannot both slip under a cap.
            list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True))
            check_upload_caps(actor, name, size)
            if homework is None:
                homework = _new_homework(actor=actor, student=student, title=title, task_id=task_id)
            session = UploadSession.objects.create(
                uploader=actor,
                student=student,
                homework=homework,
                original_name=name,
                declared_size=size,
                declared_type=(content_type or "")[:100],
                storage_key=key,
                backend=backend,
                multipart_upload_id=upload_id,
                part_size=part_size,
            )
    except Exception:
        if upload_id:
            storage.multipart_abort(key, upload_id)
        raise
    return _browser_plan(session, content_type)


def _new_homework(*, actor: User, student: Student, title: str, task_id: int | None) -> Homework:
    """The homework a first file starts (runs inside upload_session_create's transaction)."""
    title = (title or "").strip()[:200]
    if not title:
        raise DomainError(
            "title_required", "Pick one of the student's tasks or give the homework a title.", 400
        )
    homework = Homework.objects.create(student=student, submitted_by=actor, title=title, task_id=task_id)
    record_event(actor=actor, action="homework.created", entity=homework, after={"title": title})
    return homework


def _browser_plan(session: UploadSession, content_type: str) -> UploadPlan:
    """How the browser sends the file: local chunks, one presigned part URL each, or one PUT URL."""
    plan = UploadPlan(session=session)
    key, upload_id = session.storage_key, session.multipart_upload_id
    if session.backend != "s3":
        plan.chunk_size = int(settings.HOMEWORK_UPLOAD_CHUNK_SIZE)
    elif upload_id:
        count = math.ceil(session.declared_size / session.part_size)
        plan.part_urls = [storage.multipart_part_url(key, upload_id, n) for n in range(1, count + 1)]
    else:
        plan.put_url = storage.presigned_put_url(
            key, content_type=content_type or "application/octet-stream", expires=PUT_URL_SECONDS
        )
    return plan


def _is_staged(session: UploadSession) -> bool:
    return session.storage_key.startswith(STAGING_PREFIX)


def _final_key(session: UploadSession) -> str:
    """Where the checked file lives: the staging key without its prefix, so a retry reuses it."""
    return session.storage_key.removeprefix(STAGING_PREFIX)


def _require_open(session: UploadSession) -> None:
    if session.state != UploadSession.State.OPEN:
        raise Conflict("upload_closed", f"This upload is already {session.get_state_display().lower()}.")


def _fail(session: UploadSession, error: DomainError) -> None:
    """Remove whatever was stored and mark the session failed; the error then propagates."""
    _remove_stored(session)
    UploadSession.objects.filter(pk=session.pk).update(
        state=UploadSession.State.FAILED, error_code=error.code[:50], updated_at=timezone.now()
    )
    session.state = UploadSession.State.FAILED
    session.error_code = error.code


def _remove_stored(session: UploadSession) -> None:
    try:
        if session.multipart_upload_id:
            storage.multipart_abort(session.storage_key, session.multipart_upload_id)
        storage.delete(session.storage_key)
        if _is_staged(session):
            storage.delete(_final_key(session))  # a copy a transient failure left behind
    except storage.StorageUnavailable:
        logger.warning("could not remove %s; the expiry sweep will retry", session.storage_key)


def upload_session_append(
    *, actor: User, session: UploadSession, stream: IO[bytes], offset: int, length: int
) -> UploadSession:
    """Append one raw chunk on the local backend; the body is read in blocks, never whole."""
    _require_open(session)
    if session.backend != "local" or storage.is_s3():
        raise DomainError("wrong_backend", "This upload goes straight to the file store.", 400)
    if length <= 0 or length > settings.HOMEWORK_UPLOAD_CHUNK_SIZE:
        raise DomainError(
            "bad_chunk",
            f"Send chunks of 1 byte to {filesizeformat(settings.HOMEWORK_UPLOAD_CHUNK_SIZE)}.",
            400,
        )
    if offset + length > session.declared_size:
        error = DomainError("too_large", f"{session.original_name} is larger than declared.", 413)
        _fail(session, error)
        raise error
    try:
        size = storage.append_to_local(
            session.storage_key, stream, offset=offset, limit=session.declared_size
        )
        if offset == 0:
            # Refuse a disallowed type during the upload, from its first bytes, not its name.
            content_type = sniff.sniff(storage.read_head(session.storage_key))
            kind = sniff.kind_for(content_type)
            if kind is None:
                raise DomainError(
                    "type_not_allowed",
                    f"{session.original_name}: this type of file is not accepted "
                    f"({content_type or 'unknown type'}). {sniff.allowed_summary()}",
                    415,
                )
            check_size(session.original_name, session.declared_size, kind)
    except DomainError as error:
        if error.code != "bad_offset":
            _fail(session, error)
        raise
    UploadSession.objects.filter(pk=session.pk).update(bytes_received=size, updated_at=timezone.now())
    session.bytes_received = size
    return session


def _complete_multipart(session: UploadSession) -> None:
    """Complete from the store's own list of parts: the browser need not read ETags (no CORS
    ExposeHeaders needed), and every part but the last must be exactly `part_size`."""
    try:
        parts = storage.multipart_parts(session.storage_key, session.multipart_upload_id)
    except DomainError as error:
        if error.status == 404 and _completed_before(session):
            # An earlier try completed it and its answer was lost (the store went away, a
            # timeout): the browser's retry must confirm the file, not remove it (bench/soak.py).
            return
        raise
    expected = math.ceil(session.declared_size / session.part_size)
    numbers = [int(p["PartNumber"]) for p in parts]
    if sorted(numbers) != list(range(1, expected + 1)):
        raise DomainError("upload_incomplete", f"{session.original_name} did not finish uploading.", 400)
    for part in parts:
        if int(part["PartNumber"]) < expected and int(part["Size"]) != session.part_size:
            raise DomainError("bad_part_size", "The file was sent in unequal parts.", 400)
    storage.multipart_complete(
        session.storage_key,
        session.multipart_upload_id,
        [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in parts],
    )


def _completed_before(session: UploadSession) -> bool:
    """The multipart upload is gone and the whole file is in its place."""
    try:
        return storage.stat(session.storage_key).size == session.declared_size
    except DomainError:
        return False


def upload_session_complete(*, actor: User, session: UploadSession) -> MediaItem:
    """Confirm and record the upload. The session row stays locked throughout, so a second
    "complete" (a double click, a retry) waits and is then refused with 409 `upload_closed`."""
    refused: DomainError | None = None
    with transaction.atomic():
        session = (
            UploadSession.objects.select_for_update().select_related("student", "homework").get(pk=session.pk)
        )
        _require_open(session)
        key = _final_key(session)
        try:
            if session.multipart_upload_id:
                _complete_multipart(session)
            if _is_staged(session):
                try:
                    storage.copy(session.storage_key, key)
                except storage.ObjectMissing:
                    raise DomainError(
                        "upload_incomplete", f"{session.original_name} did not finish uploading.", 400
                    ) from None
            # Every check below reads the final key, which nothing the browser holds can write.
            info = storage.stat(key)  # a HEAD on S3: the store's word, not the browser's
            if info.size != session.declared_size:
                raise DomainError(
                    "size_mismatch",
                    f"{session.original_name} arrived as {filesizeformat(info.size)}, "
                    f"not the {filesizeformat(session.declared_size)} declared.",
                    400,
                )
            item = homework_file_add(
                actor=actor, homework=session.homework, storage_key=key, original_name=session.original_name
            )
        except storage.StorageUnavailable:
            raise  # transient: keep the upload, the browser may retry completion
        except DomainError as error:
            _fail(session, error)  # committed with this transaction, which then ends normally
            refused = error
        else:
            UploadSession.objects.filter(pk=session.pk).update(
                state=UploadSession.State.COMPLETED,
                media_item=item,
                bytes_received=item.size_bytes,
                updated_at=timezone.now(),
            )
    if refused is not None:
        raise refused
    if _is_staged(session):
        try:
            storage.delete(session.storage_key)
        except storage.StorageUnavailable:
            logger.warning("could not remove the staging copy %s", session.storage_key)
    return item


def upload_session_abort(*, actor: User, session: UploadSession) -> UploadSession:
    """Cancel: nothing partial is left. Idempotent (a second cancel changes nothing)."""
    if session.state != UploadSession.State.OPEN:
        return session
    _remove_stored(session)
    UploadSession.objects.filter(pk=session.pk, state=UploadSession.State.OPEN).update(
        state=UploadSession.State.ABORTED, updated_at=timezone.now()
    )
    session.state = UploadSession.State.ABORTED
    return session


def upload_sessions_expire(*, older_than: datetime) -> int:
    """Abort open sessions untouched since `older_than` (a browser closed mid-upload)."""
    count = 0
    for session in UploadSession.objects.filter(state=UploadSession.State.OPEN, updated_at__lt=older_than):
        _remove_stored(session)
        session.state = UploadSession.State.ABORTED
        session.error_code = "expired"
        session.save(update_fields=["state", "error_code", "updated_at"])
        count += 1
    _sweep_late_puts(older_than=older_than)
    return count


def _sweep_late_puts(*, older_than: datetime) -> None:
    """Remove what a PUT replayed after "complete" left at a closed session's staging key.

    Its URL expired long before `older_than`, so nothing can come back after this. The window is
    two hours wide so that an hourly sweep sees each session twice; deleting is idempotent. (A
    bucket lifecycle rule on "incoming/" is the backstop when the scheduler was down longer.)
    """
    closed = UploadSession.objects.filter(
        storage_key__startswith=STAGING_PREFIX,
        created_at__gte=older_than - timedelta(hours=2),
        created_at__lt=older_than,
    ).exclude(state=UploadSession.State.OPEN)
    for key in closed.values_list("storage_key", flat=True):
        try:
            storage.delete(key)
        except storage.StorageUnavailable:
            logger.warning("could not remove the staging key %s; the next sweep will retry", key)
