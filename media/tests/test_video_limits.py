"""Video cost is bounded: what is over the limits is refused from its probe (permanent, with a
reason a person reads), and ffmpeg's time follows the probed duration. Real ffmpeg, real videos."""

import subprocess
from pathlib import Path

import pytest

from media import pipeline
from media.pipeline import VideoRejected
from media.tasks import process_video_proof
from media.tests.factories import make_video, stored_video

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("limits")
    return {
        "three_seconds": make_video(root / "long.mp4", "160x120", audio=False, seconds="3"),
        "sixty_fps": make_video(root / "fast.mp4", "160x120", audio=False, rate=60),
        "vga": make_video(root / "vga.mp4", "640x480", audio=False),
    }


@pytest.fixture
def no_ffmpeg(monkeypatch):
    """Refusals come from the probe: ffmpeg must not even start."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"ffmpeg ran: {args[0]}")

    monkeypatch.setattr(pipeline.subprocess, "run", refuse)


@pytest.mark.parametrize(
    ("clip", "setting", "limit", "reason"),
    [
        ("three_seconds", "MEDIA_MAX_VIDEO_SECONDS", 2, "This video is 3 s long; videos may be at most 2 s."),
        (
            "vga",
            "MEDIA_MAX_VIDEO_PIXELS",
            320 * 240,
            "This video's picture is 640\N{MULTIPLICATION SIGN}480 (0.3 megapixels)",
        ),
        (
            "sixty_fps",
            "MEDIA_MAX_VIDEO_FPS",
            30,
            "This video has 60 frames per second; at most 30 are accepted.",
        ),
    ],
)
def test_a_video_over_a_limit_is_refused_from_its_probe(
    any_storage, settings, clips, work_dir, no_ffmpeg, parent, student, clip, setting, limit, reason
):
    setattr(settings, setting, limit)
    item = stored_video(path=clips[clip], uploader=parent)

    with pytest.raises(VideoRejected) as caught:
        process_video_proof.call(item.pk)

    assert caught.value.message.startswith(reason)
    assert list(item.variants.values_list("role", flat=True)) == ["original"]
    assert list(work_dir.iterdir()) == []


def test_within_the_limits_is_converted(local_storage, settings, clips, work_dir, parent, student):
    settings.MEDIA_MAX_VIDEO_SECONDS = 3
    settings.MEDIA_MAX_VIDEO_PIXELS = 640 * 480
    settings.MEDIA_MAX_VIDEO_FPS = 60
    for clip in clips.values():
        item = stored_video(path=clip, uploader=parent)
        process_video_proof.call(item.pk)
        assert item.variants.count() == 3


def test_the_ffmpeg_timeout_follows_the_probed_duration(
    local_storage, settings, clips, work_dir, parent, student, monkeypatch
):
    settings.FFMPEG_TIMEOUT_SECONDS = 3600
    settings.FFMPEG_TIMEOUT_PER_VIDEO_SECOND = 4
    timeouts: list[float] = []
    real_run = subprocess.run

    def spy(*args, **kwargs):
        timeouts.append(kwargs["timeout"])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(pipeline.subprocess, "run", spy)
    item = stored_video(path=clips["three_seconds"], uploader=parent)

    process_video_proof.call(item.pk)

    transcode, poster = timeouts
    assert transcode == pytest.approx(60 + 4 * 3, abs=0.5)  # not the hour the setting allows
    assert poster == pytest.approx(60 + 4 * 1)
    assert pipeline.ffmpeg_timeout(10_000) == 3600  # FFMPEG_TIMEOUT_SECONDS stays the ceiling


def test_a_conversion_over_its_time_is_stopped_and_refused(settings, clips, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "FFMPEG_TIMEOUT_FLOOR_SECONDS", 0)
    settings.FFMPEG_TIMEOUT_PER_VIDEO_SECOND = 0.0001  # a real ffmpeg run cannot finish in 0.3 ms
    info = pipeline.probe(clips["three_seconds"])

    with pytest.raises(VideoRejected, match="took longer than"):
        pipeline.transcode(clips["three_seconds"], tmp_path / "out.mp4", info, tmp_path)


@pytest.mark.django_db(transaction=True)
def test_the_refusal_fails_once_and_its_reason_reaches_admin_and_parent(
    local_storage, settings, put, clips, work_dir, parent, parent_client, admin_client, student
):
    from django_tasks_db.models import DBTaskResult

    from homework.models import Homework
    from homework.services import homework_file_add
    from media import jobstate
    from media.tests.test_worker_integration import run_worker

    settings.MEDIA_MAX_VIDEO_SECONDS = 2  # the worker forks: its jobs see this
    homework = Homework.objects.create(student=student, submitted_by=parent, title="Week 1")
    homework_file_add(
        actor=parent, homework=homework, storage_key=put(clips["three_seconds"]), original_name="proof.mp4"
    )

    run_worker()

    jobs = DBTaskResult.objects.filter(task_path=jobstate.OPTIMISE_TASK_PATH)
    assert [j.status for j in jobs] == ["FAILED"]  # permanent: never retried
    reason = "This video is 3 s long; videos may be at most 2 s. Please send a shorter clip."
    assert reason in admin_client.get("/admin/insights/media/").content.decode()
    portal = parent_client.get("/portal/homework/").content.decode()
    assert "Could not process" in portal and reason in portal
