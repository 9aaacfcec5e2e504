"""The local file store: Django's default storage (FileSystemStorage under MEDIA_ROOT).

Files are copied in 1 MB pieces and ranges read in chunks, never whole. There are no presigned
URLs here: the app serves files itself (media/streaming.py) and browsers send raw chunks.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, storages

from academy.errors import DomainError
from media.store_base import ObjectInfo, ObjectMissing, StorageUnavailable, not_here

COPY_BUFFER = 1024 * 1024


class LocalStore:
    name = "local"

    @property
    def files(self) -> Storage:
        return storages["default"]

    def download_to_path(self, key: str, path: str | os.PathLike[str]) -> None:
        try:
            with self.files.open(key, "rb") as src, open(path, "wb") as dst:
                shutil.copyfileobj(src, dst, COPY_BUFFER)
        except FileNotFoundError as exc:
            Path(path).unlink(missing_ok=True)
            raise ObjectMissing(key) from exc
        except OSError as exc:
            Path(path).unlink(missing_ok=True)
            raise StorageUnavailable() from exc

    def upload_from_path(self, path: str | os.PathLike[str], key: str, *, content_type: str) -> None:
        try:
            with open(path, "rb") as src:
                self._save(key, src)
        except OSError as exc:
            raise StorageUnavailable() from exc

    def copy(self, src_key: str, dst_key: str) -> None:
        try:
            with self.files.open(src_key, "rb") as src:
                self._save(dst_key, src)
        except FileNotFoundError as exc:
            raise ObjectMissing(src_key) from exc
        except OSError as exc:
            raise StorageUnavailable() from exc

    def _save(self, key: str, src: IO[bytes]) -> None:
        """Store `src` at exactly `key`, replacing what is there."""
        if self.files.exists(key):
            self.files.delete(key)
        saved = self.files.save(key, File(src, name=key))
        if saved != key:  # FileSystemStorage renames on collision; our keys must be exact
            self.files.delete(saved)
            raise StorageUnavailable(f"The file store stored {saved!r} instead of {key!r}.")

    def delete(self, key: str) -> None:
        try:
            self.files.delete(key)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StorageUnavailable() from exc

    def stat(self, key: str) -> ObjectInfo:
        try:
            return ObjectInfo(key, int(self.files.size(key)), "")
        except FileNotFoundError as exc:
            raise ObjectMissing(key) from exc
        except OSError as exc:
            raise StorageUnavailable() from exc

    def open_range(self, key: str, start: int, end: int | None, chunk: int) -> Iterator[bytes]:
        try:
            handle = self.files.open(key, "rb")
        except FileNotFoundError as exc:
            raise ObjectMissing(key) from exc
        return _iter_file(handle, start, end, chunk)

    def presigned_get_url(self, key: str, *, expires: int, disposition: str, content_type: str) -> None:
        return None  # the app serves local files itself

    def append(self, key: str, stream: IO[bytes], *, offset: int, limit: int | None) -> int:
        """Append a chunk (a file-like body, read in 1 MB pieces) to `key`; see storage.append_to_local."""
        path = Path(self.files.path(key))
        path.parent.mkdir(parents=True, exist_ok=True)
        current = path.stat().st_size if path.exists() else 0
        if offset != current:
            raise DomainError(
                "bad_offset", "This chunk does not follow the last one.", 409, details={"size": current}
            )
        size = current
        with open(path, "ab") as dst:
            while data := stream.read(COPY_BUFFER):
                size += len(data)
                if limit is not None and size > limit:
                    dst.truncate(current)
                    raise DomainError("too_large", "The file is larger than allowed.", 413)
                dst.write(data)
        return size

    def presigned_put_url(self, key: str, *, content_type: str, expires: int) -> str:
        raise not_here(self.name, "A presigned PUT")

    def multipart_create(self, key: str, *, content_type: str) -> str:
        raise not_here(self.name, "A multipart upload")

    def multipart_part_url(self, key: str, upload_id: str, part_number: int, *, expires: int) -> str:
        raise not_here(self.name, "A multipart upload")

    def multipart_parts(self, key: str, upload_id: str) -> list[dict[str, Any]]:
        raise not_here(self.name, "A multipart upload")

    def multipart_complete(self, key: str, upload_id: str, parts: Iterable[dict[str, Any]]) -> None:
        raise not_here(self.name, "A multipart upload")

    def multipart_abort(self, key: str, upload_id: str) -> None:
        raise not_here(self.name, "A multipart upload")


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
