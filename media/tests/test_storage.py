"""The storage module on both backends: streaming transfers, ranged reads, uploads, errors."""

import io
import urllib.request
from pathlib import Path

import pytest

from academy.errors import DomainError
from media import storage
from media.storage import ObjectMissing, StorageUnavailable
from tests.s3_fixtures import UNREACHABLE, point_store_at


@pytest.fixture
def blob(tmp_path: Path) -> Path:
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 40_000)  # ~10 MB: more than one multipart part
    return path


def test_round_trip(any_storage, blob, tmp_path):
    key = storage.new_key("test", "My Video.MP4")
    assert key.startswith("test/") and key.endswith(".mp4")

    storage.upload_from_path(blob, key, content_type="video/mp4")

    info = storage.stat(key)
    assert info.size == blob.stat().st_size
    if any_storage == "s3":
        assert info.content_type == "video/mp4"
    assert storage.exists(key)
    assert storage.read_head(key, 4) == bytes(range(4))
    assert b"".join(storage.open_range(key, 250, 261)) == bytes(
        [250, 251, 252, 253, 254, 255, 0, 1, 2, 3, 4, 5]
    )
    assert sum(len(c) for c in storage.open_range(key)) == info.size
    copy = tmp_path / "copy.bin"
    storage.download_to_path(key, copy)
    assert copy.read_bytes() == blob.read_bytes()

    storage.upload_from_path(blob, key, content_type="video/mp4")  # replacing keeps the exact key
    assert storage.stat(key).size == info.size

    storage.delete(key)
    storage.delete(key)  # idempotent
    assert not storage.exists(key)


def test_copy_replaces_the_target_and_leaves_the_source(any_storage, blob, tmp_path):
    src, dst = storage.new_key("test", "a.bin"), storage.new_key("test", "b.bin")
    storage.upload_from_path(blob, src, content_type="video/mp4")
    (tmp_path / "old.bin").write_bytes(b"old")
    storage.upload_from_path(tmp_path / "old.bin", dst, content_type="video/mp4")

    storage.copy(src, dst)

    assert storage.stat(dst).size == blob.stat().st_size == storage.stat(src).size
    if any_storage == "s3":
        assert storage.stat(dst).content_type == "video/mp4"
    storage.download_to_path(dst, tmp_path / "copied.bin")
    assert (tmp_path / "copied.bin").read_bytes() == blob.read_bytes()
    with pytest.raises(ObjectMissing):
        storage.copy("nope/missing.bin", dst)


def test_missing_objects(any_storage, tmp_path):
    with pytest.raises(ObjectMissing):
        storage.stat("nope/missing.mp4")
    with pytest.raises(ObjectMissing):
        storage.download_to_path("nope/missing.mp4", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_unreachable_store_is_transient(s3_storage, settings, blob, tmp_path):
    point_store_at(settings, UNREACHABLE)
    with pytest.raises(StorageUnavailable):
        storage.upload_from_path(blob, "k.bin", content_type="application/octet-stream")
    with pytest.raises(StorageUnavailable):
        storage.download_to_path("k.bin", tmp_path / "k")


def test_transfer_config_is_explicit(settings):
    config = storage.transfer_config()
    assert config.multipart_chunksize == settings.S3_TRANSFER_CHUNK_SIZE
    assert config.max_concurrency == settings.S3_TRANSFER_CONCURRENCY


def test_client_sends_checksums_only_when_required(s3_storage):
    config = storage.s3_client().meta.config
    assert config.request_checksum_calculation == "when_required"
    assert config.response_checksum_validation == "when_required"


def test_presigned_multipart_upload(s3_storage):
    key = storage.new_key("uploads", "big.mp4")
    upload_id = storage.multipart_create(key, content_type="video/mp4")
    parts = []
    part_size = 5 * 1024 * 1024
    for number, payload in enumerate([b"a" * part_size, b"b" * 1000], start=1):
        url = storage.multipart_part_url(key, upload_id, number)
        request = urllib.request.Request(
            url, data=payload, method="PUT", headers={"Content-Type": "application/octet-stream"}
        )
        with urllib.request.urlopen(request) as response:
            parts.append({"PartNumber": number, "ETag": response.headers["ETag"]})
    storage.multipart_complete(key, upload_id, reversed(parts))
    assert storage.stat(key).size == part_size + 1000

    other = storage.new_key("uploads", "aborted.mp4")
    aborted = storage.multipart_create(other, content_type="video/mp4")
    storage.multipart_abort(other, aborted)
    storage.multipart_abort(other, aborted)  # idempotent
    assert not storage.exists(other)


def test_presigned_put_and_get(s3_storage):
    key = storage.new_key("uploads", "a.txt")
    url = storage.presigned_put_url(key, content_type="text/plain")
    request = urllib.request.Request(url, data=b"hello", method="PUT", headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(request).close()
    get_url = storage.presigned_get_url(key, filename="a.txt")
    assert get_url is not None
    with urllib.request.urlopen(get_url) as response:
        assert response.read() == b"hello"


def test_local_chunks_append_in_order(local_storage):
    key = storage.new_key("uploads", "chunks.bin")
    assert storage.presigned_get_url(key) is None
    assert storage.append_to_local(key, io.BytesIO(b"abc"), offset=0) == 3
    assert storage.append_to_local(key, io.BytesIO(b"def"), offset=3) == 6
    with pytest.raises(DomainError) as caught:
        storage.append_to_local(key, io.BytesIO(b"zzz"), offset=3)
    assert caught.value.code == "bad_offset"
    with pytest.raises(DomainError) as caught:
        storage.append_to_local(key, io.BytesIO(b"x" * 10), offset=6, limit=10)
    assert caught.value.code == "too_large"
    assert b"".join(storage.open_range(key)) == b"abcdef"  # the refused chunk left nothing
