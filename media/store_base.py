"""What both file stores share: the typed errors, what a HEAD answers, and the interface that the
local store (media/store_local.py) and the S3 store (media/store_s3.py) implement. Callers use
media/storage.py, which picks the store from settings."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol

from academy.errors import DomainError, NotFound


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


class Store(Protocol):
    """One file store. Streams only: nothing returns a whole file (design rule 2)."""

    name: str  # "local" | "s3", as settings.STORAGE_BACKEND names it

    def download_to_path(self, key: str, path: str | os.PathLike[str]) -> None: ...
    def upload_from_path(self, path: str | os.PathLike[str], key: str, *, content_type: str) -> None: ...
    def copy(self, src_key: str, dst_key: str) -> None: ...
    def delete(self, key: str) -> None: ...
    def stat(self, key: str) -> ObjectInfo: ...
    def open_range(self, key: str, start: int, end: int | None, chunk: int) -> Iterator[bytes]: ...
    def presigned_get_url(
        self, key: str, *, expires: int, disposition: str, content_type: str
    ) -> str | None: ...

    # Browser uploads: raw chunks appended on the local store, presigned PUTs straight to S3.
    def append(self, key: str, stream: IO[bytes], *, offset: int, limit: int | None) -> int: ...
    def presigned_put_url(self, key: str, *, content_type: str, expires: int) -> str: ...
    def multipart_create(self, key: str, *, content_type: str) -> str: ...
    def multipart_part_url(self, key: str, upload_id: str, part_number: int, *, expires: int) -> str: ...
    def multipart_parts(self, key: str, upload_id: str) -> list[dict[str, Any]]: ...
    def multipart_complete(self, key: str, upload_id: str, parts: Iterable[dict[str, Any]]) -> None: ...
    def multipart_abort(self, key: str, upload_id: str) -> None: ...


def not_here(store: str, what: str) -> RuntimeError:
    """A call the other store answers: a programming error, not a person's."""
    return RuntimeError(f"{what} is not available on the {store} store.")
