"""The S3 store (R2, S3, MinIO, moto): the client of django-storages' S3Storage configured in
settings.STORAGES["default"], so there is one configuration (endpoint, keys, the botocore options
such as checksums "when_required", which R2 needs). django-storages' `open()` is never used for
media: it buffers the whole object in memory. Transfers go through boto3's transfer manager with
an explicit TransferConfig (fixed part size and concurrency), so memory stays flat.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.storage import storages

from academy.errors import DomainError, NotFound
from media.store_base import ObjectInfo, ObjectMissing, StorageUnavailable, not_here

if TYPE_CHECKING:
    from boto3.s3.transfer import TransferConfig


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


def s3_error(exc: BaseException, key: str) -> DomainError:
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


_clients: dict[tuple[Any, ...], Any] = {}


def _client_of(files: Any) -> Any:
    """The client of the S3Storage's connection, one per configuration for the whole process.

    django-storages makes a boto3 session and resource per thread and per storage instance (and
    tests swap the storage often); the client is thread-safe, so one serves every thread, as
    before, without a session (and its parsed service model) piling up for each.
    """
    key = (files.endpoint_url, files.region_name, files.access_key, files.secret_key)
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = files.connection.meta.client
    return client


class S3Store:
    name = "s3"

    def __init__(self) -> None:
        files: Any = storages["default"]
        if not hasattr(files, "bucket_name"):
            raise not_here("local", "S3")
        self.client: Any = _client_of(files)
        self.bucket: str = files.bucket_name

    def download_to_path(self, key: str, path: str | os.PathLike[str]) -> None:
        try:
            self.client.download_file(self.bucket, key, os.fspath(path), Config=transfer_config())
        except Exception as exc:
            Path(path).unlink(missing_ok=True)
            raise s3_error(exc, key) from exc

    def upload_from_path(self, path: str | os.PathLike[str], key: str, *, content_type: str) -> None:
        extra = {"ContentType": content_type}
        try:
            self.client.upload_file(
                os.fspath(path), self.bucket, key, ExtraArgs=extra, Config=transfer_config()
            )
        except Exception as exc:
            raise s3_error(exc, key) from exc

    def copy(self, src_key: str, dst_key: str) -> None:
        """Server-side: the bytes never pass through us."""
        source = {"Bucket": self.bucket, "Key": src_key}
        try:
            self.client.copy(source, self.bucket, dst_key, Config=transfer_config())
        except Exception as exc:
            raise s3_error(exc, src_key) from exc

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            error = s3_error(exc, key)
            if not isinstance(error, ObjectMissing):
                raise error from exc

    def stat(self, key: str) -> ObjectInfo:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            raise s3_error(exc, key) from exc
        return ObjectInfo(key, int(head["ContentLength"]), str(head.get("ContentType") or ""))

    def open_range(self, key: str, start: int, end: int | None, chunk: int) -> Iterator[bytes]:
        range_header = f"bytes={start}-{'' if end is None else end}"
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key, Range=range_header)["Body"]
        except Exception as exc:
            raise s3_error(exc, key) from exc
        return _iter_body(body, chunk, key)

    def presigned_get_url(self, key: str, *, expires: int, disposition: str, content_type: str) -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if disposition:
            params["ResponseContentDisposition"] = disposition
        if content_type:
            params["ResponseContentType"] = content_type
        return str(self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires))

    def append(self, key: str, stream: IO[bytes], *, offset: int, limit: int | None) -> int:
        raise not_here(self.name, "Appending a chunk")

    def presigned_put_url(self, key: str, *, content_type: str, expires: int) -> str:
        params = {"Bucket": self.bucket, "Key": key, "ContentType": content_type}
        return str(self.client.generate_presigned_url("put_object", Params=params, ExpiresIn=expires))

    def multipart_create(self, key: str, *, content_type: str) -> str:
        try:
            response = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=key, ContentType=content_type
            )
        except Exception as exc:
            raise s3_error(exc, key) from exc
        return str(response["UploadId"])

    def multipart_part_url(self, key: str, upload_id: str, part_number: int, *, expires: int) -> str:
        params = {"Bucket": self.bucket, "Key": key, "UploadId": upload_id, "PartNumber": part_number}
        return str(self.client.generate_presigned_url("upload_part", Params=params, ExpiresIn=expires))

    def multipart_parts(self, key: str, upload_id: str) -> list[dict[str, Any]]:
        """The parts the store holds (number, size, ETag), from the store's own list."""
        parts: list[dict[str, Any]] = []
        try:
            for page in self.client.get_paginator("list_parts").paginate(
                Bucket=self.bucket, Key=key, UploadId=upload_id
            ):
                parts.extend(page.get("Parts", []))
        except Exception as exc:
            raise s3_error(exc, key) from exc
        return parts

    def multipart_complete(self, key: str, upload_id: str, parts: Iterable[dict[str, Any]]) -> None:
        numbered = sorted((int(p["PartNumber"]), str(p["ETag"])) for p in parts)
        ordered = [{"PartNumber": number, "ETag": etag} for number, etag in numbered]
        try:
            self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": ordered}
            )
        except Exception as exc:
            raise s3_error(exc, key) from exc

    def multipart_abort(self, key: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except Exception as exc:
            error = s3_error(exc, key)
            if not isinstance(error, NotFound):
                raise error from exc


def _iter_body(body: Any, chunk: int, key: str) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(chunk)
    except Exception as exc:
        raise s3_error(exc, key) from exc
    finally:
        body.close()
