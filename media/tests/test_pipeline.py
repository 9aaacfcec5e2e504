"""ProcessVideoProof end to end, on the local and the S3 backend."""

from pathlib import Path

import av
import pytest

from media import pipeline, storage
from media.models import MediaVariant
from media.pipeline import VideoRejected
from media.storage import StorageUnavailable
from media.tasks import process_video_proof
from media.tests.factories import ffmpeg, stored_video
from tests.s3_fixtures import UNREACHABLE, point_store_at

pytestmark = pytest.mark.django_db


def _web_facts(key: str, tmp_path: Path) -> tuple[int, int, str, bool]:
    local = tmp_path / "check.mp4"
    storage.download_to_path(key, local)
    with av.open(str(local)) as container:
        video = container.streams.video[0]
        return (
            video.codec_context.width,
            video.codec_context.height,
            video.codec_context.name,
            bool(container.streams.audio),
        )


@pytest.mark.parametrize(
    ("name", "size", "audio"),
    [
        ("landscape", (1280, 720), True),
        ("portrait", (720, 1280), False),
        ("tiny", (160, 120), False),  # never upscaled
        ("tiny_audio", (160, 120), True),
    ],
)
def test_video_gets_web_and_poster_variants(
    any_storage, videos, work_dir, tmp_path, parent, student, name, size, audio
):
    item = stored_video(path=videos[name], uploader=parent)

    process_video_proof.call(item.pk)

    variants = {v.role: v for v in item.variants.all()}
    assert set(variants) == {"original", "web", "poster"}
    web, poster = variants["web"], variants["poster"]
    assert (web.width, web.height) == size
    assert web.content_type == "video/mp4" and web.codec.startswith("h264")
    assert _web_facts(web.storage_key, tmp_path) == (*size, "h264", audio)
    assert storage.stat(web.storage_key).size == web.size_bytes
    assert len(web.checksum_sha256) == 64
    assert poster.content_type == "image/jpeg"
    assert (poster.width, poster.height) == size
    assert storage.read_head(poster.storage_key, 3) == b"\xff\xd8\xff"
    item.refresh_from_db()
    assert item.duration_seconds and item.duration_seconds > 0.5
    assert variants["original"].checksum_sha256  # filled from the temp copy
    assert list(work_dir.iterdir()) == []  # temp files removed


def test_running_twice_changes_nothing(any_storage, videos, work_dir, parent, student):
    item = stored_video(path=videos["tiny"], uploader=parent)
    process_video_proof.call(item.pk)
    before = list(item.variants.values_list("pk", "storage_key").order_by("pk"))

    result = pipeline.media_optimise(item_id=item.pk)

    assert result.skipped
    assert list(item.variants.values_list("pk", "storage_key").order_by("pk")) == before


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("text", "not a video we can read"),
        ("noise", "not a video we can read"),
        ("truncated", "not a video we can read"),
    ],
)
def test_bad_input_fails_permanently_with_a_reason(
    any_storage, videos, work_dir, parent, student, name, reason
):
    item = stored_video(path=videos[name], uploader=parent)

    with pytest.raises(VideoRejected) as caught:
        process_video_proof.call(item.pk)

    assert reason in caught.value.message
    assert list(item.variants.values_list("role", flat=True)) == ["original"]
    assert list(work_dir.iterdir()) == []


def test_audio_only_file_is_rejected(any_storage, tmp_path, work_dir, parent, student):
    audio = tmp_path / "sound.mp4"
    ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(audio))
    item = stored_video(path=audio, uploader=parent)

    with pytest.raises(VideoRejected, match="no video"):
        process_video_proof.call(item.pk)
    assert item.variants.count() == 1


def test_storage_unavailable_mid_job_is_transient_and_leaves_the_original(
    s3_storage, settings, videos, work_dir, parent, student, monkeypatch
):
    item = stored_video(path=videos["tiny"], uploader=parent)
    original = item.variants.get()
    real_transcode = pipeline.transcode
    endpoint: list[str] = []

    def transcode_then_lose_the_store(*args, **kwargs):
        real_transcode(*args, **kwargs)
        endpoint.append(point_store_at(settings, UNREACHABLE))

    monkeypatch.setattr(pipeline, "transcode", transcode_then_lose_the_store)
    with pytest.raises(StorageUnavailable):
        process_video_proof.call(item.pk)

    point_store_at(settings, endpoint[0])
    assert list(item.variants.values_list("role", flat=True)) == ["original"]
    assert storage.stat(original.storage_key).size == original.size_bytes
    assert list(work_dir.iterdir()) == []
    monkeypatch.setattr(pipeline, "transcode", real_transcode)
    process_video_proof.call(item.pk)  # the retry succeeds
    assert item.variants.count() == 3


def test_crash_mid_job_leaves_no_partial_variants_or_objects(
    any_storage, videos, work_dir, parent, student, monkeypatch
):
    item = stored_video(path=videos["tiny"], uploader=parent)
    uploaded: list[str] = []
    real_upload = storage.upload_from_path

    def upload_then_crash(path, key, *, content_type):
        real_upload(path, key, content_type=content_type)
        uploaded.append(key)
        if content_type == "image/jpeg":  # the poster: after the web MP4 is already stored
            raise KeyboardInterrupt("worker killed")

    monkeypatch.setattr(storage, "upload_from_path", upload_then_crash)
    with pytest.raises(KeyboardInterrupt):
        process_video_proof.call(item.pk)

    assert list(item.variants.values_list("role", flat=True)) == ["original"]
    assert len(uploaded) == 2
    assert not any(storage.exists(key) for key in uploaded)
    assert list(work_dir.iterdir()) == []


def test_missing_original_is_reported(any_storage, videos, work_dir, parent, student):
    item = stored_video(path=videos["tiny"], uploader=parent)
    storage.delete(item.variants.get().storage_key)

    with pytest.raises(storage.ObjectMissing):
        process_video_proof.call(item.pk)
    assert item.variants.count() == 1


def test_ffmpeg_binary_setting_is_used(settings, tmp_path):
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    settings.FFMPEG_BINARY = str(fake)
    assert pipeline.ffmpeg_binary() == str(fake)


def test_transcode_timeout_is_permanent(settings, videos, tmp_path):
    settings.FFMPEG_TIMEOUT_SECONDS = 0.001
    info = pipeline.probe(videos["tiny"])
    with pytest.raises(VideoRejected, match="longer than"):
        pipeline.transcode(videos["tiny"], tmp_path / "out.mp4", info, tmp_path)


def test_web_variant_is_web_ready(local_storage, videos, work_dir, tmp_path, parent, student):
    item = stored_video(path=videos["landscape"], uploader=parent)
    process_video_proof.call(item.pk)
    web = item.variants.get(role=MediaVariant.Role.WEB)
    local = tmp_path / "web.mp4"
    storage.download_to_path(web.storage_key, local)
    with open(local, "rb") as f:
        head = f.read(4096)
    assert (head.find(b"moov") != -1 and head.find(b"moov") < head.find(b"mdat")) or b"mdat" not in head
    with av.open(str(local)) as container:
        assert container.streams.video[0].codec_context.pix_fmt == "yuv420p"
        audio = container.streams.audio[0].codec_context
        assert audio.name == "aac" and audio.channels == 2


@pytest.mark.parametrize("rotation", [90, -90])
def test_a_phone_video_records_its_display_dimensions(
    local_storage, tmp_path, work_dir, parent, student, admin_client, rotation
):
    from media.tests.factories import make_video

    phone = make_video(tmp_path / "phone.mp4", "1280x720", audio=True, rotation=rotation)
    item = stored_video(path=phone, uploader=parent)

    process_video_proof.call(item.pk)

    item.refresh_from_db()
    variants = {v.role: v for v in item.variants.all()}
    assert (item.width, item.height) == (720, 1280)  # as it plays, not as it is coded
    assert (variants["original"].width, variants["original"].height) == (720, 1280)
    assert (variants["web"].width, variants["web"].height) == (720, 1280)
    assert (variants["poster"].width, variants["poster"].height) == (720, 1280)
    page = admin_client.get(f"/admin/insights/media/{item.pk}/").content.decode()
    assert "720\N{MULTIPLICATION SIGN}1280" in page and "1280\N{MULTIPLICATION SIGN}720" not in page
