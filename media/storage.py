"""All media I/O, in one small module, on the local filesystem or any S3-compatible store.

Design rules 2 and 3: streams, never whole files; code against APIs that exist. Nothing here
returns the bytes of a media file except `read_head`, which returns at most a few KB for
sniffing. The store is chosen per call from ``settings.STORAGE_BACKEND`` ("local" | "s3"),
so tests can switch it with the ``settings`` fixture. Both stores are configured once, in
``settings.STORAGES["default"]``, and implement one interface (media/store_base.py):

Local (media/store_local.py): Django's default storage (FileSystemStorage under MEDIA_ROOT).
S3 (media/store_s3.py): the client of django-storages' S3Storage, with an explicit
``TransferConfig`` (fixed part size and concurrency, so memory is flat whatever the size).

Public API (keep stable; the homework app and the video pipeline call it):

Keys
    new_key(prefix, original_name) -> str          unique key, e.g. "homework/2026/11/<hex>.mp4"

Transfer (streaming, file on disk <-> object)
    download_to_path(key, path) -> None            stream an object to a local file
    upload_from_path(path, key, *, content_type) -> None
    copy(src_key, dst_key) -> None                 server-side copy on S3 (no bytes through us)
    delete(key) -> None                            missing objects are fine (idempotent)
    exists(key) -> bool
    stat(key) -> ObjectInfo(key, size, content_type)   HEAD; raises ObjectMissing
    read_head(key, length=8192) -> bytes           the first bytes only, for type sniffing

Playback
    open_range(key, start=0, end=None) -> Iterator[bytes]   ranged read, `end` inclusive
    presigned_get_url(key, *, expires=3600, filename=None, content_type=None, attachment=False) -> str | None
        a time-limited URL on S3 (the browser then ranges against the bucket); None locally.
    (media/streaming.py builds HTTP responses with Range support on top of these.)

Browser uploads (the homework app)
    append_to_local(key, stream, *, offset) -> int  append a request body chunk; new size
    presigned_put_url(key, *, content_type, expires=3600) -> str        S3 single PUT
    multipart_create(key, *, content_type) -> upload_id
    multipart_part_url(key, upload_id, part_number, *, expires=3600) -> str
    multipart_parts(key, upload_id) -> [{"PartNumber", "Size", "ETag", ...}]   the store's own list
    multipart_complete(key, upload_id, parts=[{"PartNumber": n, "ETag": e}, ...]) -> None
    multipart_abort(key, upload_id) -> None        idempotent
    s3_client() / s3_bucket()                      for anything else S3-specific (tests, benches)

Errors (typed, so views render them and jobs know whether to retry)
    StorageUnavailable (503, transient: retry with backoff)
    ObjectMissing (404, permanent)
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename

from media.store_base import ObjectInfo, ObjectMissing, StorageUnavailable, Store
from media.store_local import LocalStore
from media.store_s3 import S3Store, transfer_config

__all__ = ["ObjectInfo", "ObjectMissing", "StorageUnavailable", "transfer_config"]


def backend() -> str:
    return str(settings.STORAGE_BACKEND)


def is_s3() -> bool:
    return backend() == "s3"


def _store() -> Store:
    return S3Store() if is_s3() else LocalStore()


def new_key(prefix: str, original_name: str) -> str:
    """A fresh, unguessable key keeping only the (sanitised) extension of the original name."""
    ext = Path(get_valid_filename(original_name or "file")).suffix.lower()[:10]
    now = datetime.now(UTC)
    return f"{prefix.strip('/')}/{now:%Y/%m}/{uuid.uuid4().hex}{ext}"


def s3_client() -> Any:
    """The boto3 S3 client of the configured store (django-storages' own; thread-safe)."""
    return S3Store().client


def s3_bucket() -> str:
    return S3Store().bucket


# --- Transfer ------------------------------------------------------------------------------------


def download_to_path(key: str, path: str | os.PathLike[str]) -> None:
    """Stream the object `key` to the local file `path` (created or truncated)."""
    _store().download_to_path(key, path)


def upload_from_path(path: str | os.PathLike[str], key: str, *, content_type: str) -> None:
    """Stream the local file `path` to the object `key`, replacing it if it exists."""
    _store().upload_from_path(path, key, content_type=content_type)


def copy(src_key: str, dst_key: str) -> None:
    """Copy an object inside the store, replacing `dst_key`; on S3 the bytes never pass through us.

    Uploads use it to move a browser's upload to a key no presigned URL names (homework/upload_sessions.py).
    """
    _store().copy(src_key, dst_key)


def delete(key: str) -> None:
    """Delete an object; deleting a missing one is not an error."""
    _store().delete(key)


def stat(key: str) -> ObjectInfo:
    """Size and stored content type of an object (a HEAD on S3)."""
    return _store().stat(key)


def exists(key: str) -> bool:
    try:
        stat(key)
    except ObjectMissing:
        return False
    return True


def read_head(key: str, length: int = 8192) -> bytes:
    """The first `length` bytes (at most 64 KB) of an object: enough to sniff its type."""
    length = max(1, min(length, 64 * 1024))
    return b"".join(open_range(key, 0, length - 1))


def open_range(key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """Yield the bytes from `start` to `end` (inclusive; None = to the end) in 64 KB chunks."""
    return _store().open_range(key, start, end, 64 * 1024)


def presigned_get_url(
    key: str,
    *,
    expires: int = 3600,
    filename: str | None = None,
    content_type: str | None = None,
    attachment: bool = False,
) -> str | None:
    """A time-limited GET URL on S3 (the browser ranges against it); None on the local backend.

    `filename` should already be safe (media.filenames.download_name); the header is built the
    way Django builds it, ASCII-only (RFC 6266 `filename*` for other characters).
    """
    disposition = ""
    if filename or attachment:
        disposition = content_disposition_header(attachment, filename or "file") or "inline"
    return _store().presigned_get_url(
        key, expires=expires, disposition=disposition, content_type=content_type or ""
    )


# --- Browser uploads -----------------------------------------------------------------------------


def append_to_local(key: str, stream: IO[bytes], *, offset: int, limit: int | None = None) -> int:
    """Append a chunk (a file-like body, read in 1 MB pieces) to the local object `key`.

    `offset` must equal the current size (a resent or out-of-order chunk is refused with a
    409 `bad_offset` carrying the size we have). With `limit`, stops and raises 413
    `too_large` as soon as the object would pass it. Returns the new size.
    """
    return _store().append(key, stream, offset=offset, limit=limit)


def presigned_put_url(key: str, *, content_type: str, expires: int = 3600) -> str:
    return _store().presigned_put_url(key, content_type=content_type, expires=expires)


def multipart_create(key: str, *, content_type: str) -> str:
    return _store().multipart_create(key, content_type=content_type)


def multipart_part_url(key: str, upload_id: str, part_number: int, *, expires: int = 3600) -> str:
    return _store().multipart_part_url(key, upload_id, part_number, expires=expires)


def multipart_parts(key: str, upload_id: str) -> list[dict[str, Any]]:
    return _store().multipart_parts(key, upload_id)


def multipart_complete(key: str, upload_id: str, parts: Iterable[dict[str, Any]]) -> None:
    _store().multipart_complete(key, upload_id, parts)


def multipart_abort(key: str, upload_id: str) -> None:
    _store().multipart_abort(key, upload_id)
