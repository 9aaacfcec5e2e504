"""All media I/O, in one small module, on the local filesystem or any S3-compatible store.

Design rules 2 and 3: streams, never whole files; code against APIs that exist. Nothing here
returns the bytes of a media file except `read_head`, which returns at most a few KB for
sniffing. The backend is chosen per call from ``settings.STORAGE_BACKEND`` ("local" | "s3"),
so tests can switch it with the ``settings`` fixture.

Local backend: Django's default storage (FileSystemStorage under MEDIA_ROOT).
S3 backend: boto3 directly, with an explicit ``TransferConfig`` (fixed part size and
concurrency, so memory is flat whatever the size) and a client config that sends and checks
checksums only "when_required" (Cloudflare R2 rejects the newer defaults). django-storages'
``open()`` is never used for media: it buffers the whole object in memory.

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
    local_path(key) -> Path                        local backend only: where the object lives
    append_to_local(key, stream, *, offset) -> int  append a request body chunk; new size
    presigned_put_url(key, *, content_type, expires=3600) -> str        S3 single PUT
    multipart_create(key, *, content_type) -> upload_id
    multipart_part_url(key, upload_id, part_number, *, expires=3600) -> str
    multipart_complete(key, upload_id, parts=[{"PartNumber": n, "ETag": e}, ...]) -> None
    multipart_abort(key, upload_id) -> None        idempotent
    s3_client() / s3_bucket()                      for anything else S3-specific

Errors (typed, so views render them and jobs know whether to retry)
    StorageUnavailable (503, transient: retry with backoff)
    ObjectMissing (404, permanent)
"""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename

from academy.errors import DomainError, NotFound

if TYPE_CHECKING:
    from boto3.s3.transfer import TransferConfig

COPY_BUFFER = 1024 * 1024


class StorageUnavailable(DomainError):
    """The store did not answer (network, 5xx, throttling): transient, retry with backoff."""

    status = 503

    def __init__(self, message: str = "The file store is unavailable; please try again shortly.") -> None:
        super().__init__("storage_unavailable", message)


class ObjectMissing(NotFound):
    """The object is not in the store: permanent."""

    def __init__(self, key: str) -> None:
        super().__init__("object_missing", "The stored file is missing.", details={"key": key})
        self.key = key


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str


def backend() -> str:
    return str(settings.STORAGE_BACKEND)


def is_s3() -> bool:
    return backend() == "s3"


def new_key(prefix: str, original_name: str) -> str:
    """A fresh, unguessable key keeping only the (sanitised) extension of the original name."""
    ext = Path(get_valid_filename(original_name or "file")).suffix.lower()[:10]
    now = datetime.now(UTC)
    return f"{prefix.strip('/')}/{now:%Y/%m}/{uuid.uuid4().hex}{ext}"


# --- S3 plumbing -------------------------------------------------------------------------------


@functools.cache
def _client_for(endpoint: str, region: str, key_id: str, secret: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
        max_pool_connections=max(10, settings.S3_TRANSFER_CONCURRENCY * 2),
        signature_version="s3v4",
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint or None,
        region_name=region or None,
        aws_access_key_id=key_id or None,
        aws_secret_access_key=secret or None,
        config=config,
    )


def s3_client() -> Any:
    """The boto3 S3 client for the configured store (cached per configuration; thread-safe)."""
    return _client_for(
        settings.S3_ENDPOINT_URL, settings.S3_REGION, settings.S3_ACCESS_KEY_ID, settings.S3_SECRET_ACCESS_KEY
    )


def s3_bucket() -> str:
    return str(settings.S3_BUCKET)


def transfer_config() -> TransferConfig:
    from boto3.s3.transfer import TransferConfig

    chunk = settings.S3_TRANSFER_CHUNK_SIZE
    return TransferConfig(
        multipart_threshold=chunk,
        multipart_chunksize=chunk,
        max_concurrency=settings.S3_TRANSFER_CONCURRENCY,
        # Downloaded pieces wait in this queue for the disk: 16 x 256 KB bounds it at 4 MB.
        io_chunksize=256 * 1024,
        max_io_queue=16,
        use_threads=True,
    )


def _s3_error(exc: BaseException, key: str) -> DomainError:
    """Translate a boto3/botocore failure into our typed errors."""
    from boto3.exceptions import S3TransferFailedError, S3UploadFailedError
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in {"404", "NoSuchKey", "NotFound"} or status == 404:
            return ObjectMissing(key)
        if code in {"NoSuchUpload"}:
            return NotFound("upload_missing", "That upload no longer exists.", details={"key": key})
        return StorageUnavailable(f"The file store refused the request ({code or status}).")
    if isinstance(exc, (BotoCoreError, S3TransferFailedError, S3UploadFailedError, OSError)):
        return StorageUnavailable()
    raise exc


def _local_storage() -> Any:
    return storages["default"]


# --- Transfer ------------------------------------------------------------------------------------


def download_to_path(key: str, path: str | os.PathLike[str]) -> None:
    """Stream the object `key` to the local file `path` (created or truncated)."""
    if is_s3():
        try:
            s3_client().download_file(s3_bucket(), key, os.fspath(path), Config=transfer_config())
        except Exception as exc:
            Path(path).unlink(missing_ok=True)
            raise _s3_error(exc, key) from exc
        return
    storage = _local_storage()
    try:
        with storage.open(key, "rb") as src, open(path, "wb") as dst:
            shutil.copyfileobj(src, dst, COPY_BUFFER)
    except FileNotFoundError as exc:
        Path(path).unlink(missing_ok=True)
        raise ObjectMissing(key) from exc
    except OSError as exc:
        Path(path).unlink(missing_ok=True)
        raise StorageUnavailable() from exc


def upload_from_path(path: str | os.PathLike[str], key: str, *, content_type: str) -> None:
    """Stream the local file `path` to the object `key`, replacing it if it exists."""
    if is_s3():
        try:
            s3_client().upload_file(
                os.fspath(path),
                s3_bucket(),
                key,
                ExtraArgs={"ContentType": content_type},
                Config=transfer_config(),
            )
        except Exception as exc:
            raise _s3_error(exc, key) from exc
        return
    storage = _local_storage()
    try:
        if storage.exists(key):
            storage.delete(key)
        with open(path, "rb") as src:
            saved = storage.save(key, File(src, name=key))
    except OSError as exc:
        raise StorageUnavailable() from exc
    if saved != key:  # FileSystemStorage renames on collision; our keys must be exact
        storage.delete(saved)
        raise StorageUnavailable(f"The file store stored {saved!r} instead of {key!r}.")


def copy(src_key: str, dst_key: str) -> None:
    """Copy an object inside the store, replacing `dst_key`; on S3 the bytes never pass through us.

    Uploads use it to move a browser's upload to a key no presigned URL names (homework/services.py).
    """
    if is_s3():
        try:
            s3_client().copy(
                {"Bucket": s3_bucket(), "Key": src_key}, s3_bucket(), dst_key, Config=transfer_config()
            )
        except Exception as exc:
            raise _s3_error(exc, src_key) from exc
        return
    storage = _local_storage()
    try:
        with storage.open(src_key, "rb") as src:
            if storage.exists(dst_key):
                storage.delete(dst_key)
            saved = storage.save(dst_key, File(src, name=dst_key))
    except FileNotFoundError as exc:
        raise ObjectMissing(src_key) from exc
    except OSError as exc:
        raise StorageUnavailable() from exc
    if saved != dst_key:
        storage.delete(saved)
        raise StorageUnavailable(f"The file store stored {saved!r} instead of {dst_key!r}.")


def delete(key: str) -> None:
    """Delete an object; deleting a missing one is not an error."""
    if is_s3():
        try:
            s3_client().delete_object(Bucket=s3_bucket(), Key=key)
        except Exception as exc:
            error = _s3_error(exc, key)
            if not isinstance(error, ObjectMissing):
                raise error from exc
        return
    try:
        _local_storage().delete(key)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise StorageUnavailable() from exc


def stat(key: str) -> ObjectInfo:
    """Size and stored content type of an object (a HEAD on S3)."""
    if is_s3():
        try:
            head = s3_client().head_object(Bucket=s3_bucket(), Key=key)
        except Exception as exc:
            raise _s3_error(exc, key) from exc
        return ObjectInfo(key, int(head["ContentLength"]), str(head.get("ContentType") or ""))
    storage = _local_storage()
    try:
        return ObjectInfo(key, int(storage.size(key)), "")
    except FileNotFoundError as exc:
        raise ObjectMissing(key) from exc
    except OSError as exc:
        raise StorageUnavailable() from exc


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
    chunk = 64 * 1024
    if is_s3():
        range_header = f"bytes={start}-{'' if end is None else end}"
        try:
            body = s3_client().get_object(Bucket=s3_bucket(), Key=key, Range=range_header)["Body"]
        except Exception as exc:
            raise _s3_error(exc, key) from exc
        return _iter_s3_body(body, chunk, key)
    try:
        handle = _local_storage().open(key, "rb")
    except FileNotFoundError as exc:
        raise ObjectMissing(key) from exc
    return _iter_file(handle, start, end, chunk)


def _iter_s3_body(body: Any, chunk: int, key: str) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(chunk)
    except Exception as exc:
        raise _s3_error(exc, key) from exc
    finally:
        body.close()


def _iter_file(handle: IO[bytes], start: int, end: int | None, chunk: int) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        remaining = None if end is None else end - start + 1
        while remaining is None or remaining > 0:
            data = handle.read(chunk if remaining is None else min(chunk, remaining))
            if not data:
                return
            if remaining is not None:
                remaining -= len(data)
            yield data


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
    if not is_s3():
        return None
    params: dict[str, Any] = {"Bucket": s3_bucket(), "Key": key}
    if filename or attachment:
        params["ResponseContentDisposition"] = (
            content_disposition_header(attachment, filename or "file") or "inline"
        )
    if content_type:
        params["ResponseContentType"] = content_type
    return str(s3_client().generate_presigned_url("get_object", Params=params, ExpiresIn=expires))


# --- Browser uploads -----------------------------------------------------------------------------


def local_path(key: str) -> Path:
    """Local backend only: the path of `key` under MEDIA_ROOT, its directory created."""
    if is_s3():
        raise RuntimeError("local_path() is for the local storage backend only.")
    path = Path(_local_storage().path(key))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def append_to_local(key: str, stream: IO[bytes], *, offset: int, limit: int | None = None) -> int:
    """Append a chunk (a file-like body, read in 1 MB pieces) to the local object `key`.

    `offset` must equal the current size (a resent or out-of-order chunk is refused with a
    409 `bad_offset` carrying the size we have). With `limit`, stops and raises 413
    `too_large` as soon as the object would pass it. Returns the new size.
    """
    path = local_path(key)
    current = path.stat().st_size if path.exists() else 0
    if offset != current:
        raise DomainError(
            "bad_offset", "This chunk does not follow the last one.", 409, details={"size": current}
        )
    size = current
    with open(path, "ab") as dst:
        while True:
            data = stream.read(COPY_BUFFER)
            if not data:
                break
            size += len(data)
            if limit is not None and size > limit:
                dst.truncate(current)
                raise DomainError("too_large", "The file is larger than allowed.", 413)
            dst.write(data)
    return size


def presigned_put_url(key: str, *, content_type: str, expires: int = 3600) -> str:
    params = {"Bucket": s3_bucket(), "Key": key, "ContentType": content_type}
    return str(s3_client().generate_presigned_url("put_object", Params=params, ExpiresIn=expires))


def multipart_create(key: str, *, content_type: str) -> str:
    try:
        response = s3_client().create_multipart_upload(Bucket=s3_bucket(), Key=key, ContentType=content_type)
    except Exception as exc:
        raise _s3_error(exc, key) from exc
    return str(response["UploadId"])


def multipart_part_url(key: str, upload_id: str, part_number: int, *, expires: int = 3600) -> str:
    params = {"Bucket": s3_bucket(), "Key": key, "UploadId": upload_id, "PartNumber": part_number}
    return str(s3_client().generate_presigned_url("upload_part", Params=params, ExpiresIn=expires))


def multipart_complete(key: str, upload_id: str, parts: Iterable[dict[str, Any]]) -> None:
    numbered = sorted((int(p["PartNumber"]), str(p["ETag"])) for p in parts)
    ordered = [{"PartNumber": number, "ETag": etag} for number, etag in numbered]
    try:
        s3_client().complete_multipart_upload(
            Bucket=s3_bucket(), Key=key, UploadId=upload_id, MultipartUpload={"Parts": ordered}
        )
    except Exception as exc:
        raise _s3_error(exc, key) from exc


def multipart_abort(key: str, upload_id: str) -> None:
    try:
        s3_client().abort_multipart_upload(Bucket=s3_bucket(), Key=key, UploadId=upload_id)
    except Exception as exc:
        error = _s3_error(exc, key)
        if not isinstance(error, NotFound):
            raise error from exc
