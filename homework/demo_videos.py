"""Demo video homework, so the Media page shows every state on the first `make run`:

- "Piano practice" (Alice): optimised, its web copy smaller than the original;
- "Spelling test" (Daniel): optimised, its web copy LARGER than its tiny original (kept anyway:
  it plays everywhere), which the Media page must say plainly;
- "Reading aloud" (Ben): only its original, eligible to optimise;
- "Science experiment" (Chloe): a truncated file whose optimising job was refused with the pipeline's
  own, human reason (so the Media page offers no Optimise for it).

Each clip is generated with the bundled ffmpeg (a second or two of test pattern, a few KB to a few
hundred KB) and goes through the real upload and pipeline code. Idempotent by homework title."""

import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from academics.models import Student
from accounts.models import User
from homework.models import Homework
from media import storage

# (title, student first name, parent email, file name, what to make)
VIDEOS = [
    ("Piano practice (video)", "Alice", "parent@demo.academy", "piano-practice.mp4", "large"),
    ("Spelling test (video)", "Daniel", "parent2@demo.academy", "spelling-test.mp4", "tiny"),
    ("Reading aloud (video)", "Ben", "parent@demo.academy", "reading-aloud.mp4", "eligible"),
    ("Science experiment (video)", "Chloe", "parent2@demo.academy", "science-experiment.mp4", "broken"),
]
ENCODE = {
    # A camera-like original: high quality, so the web copy (CRF 23) is much smaller.
    "large": ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "12"],
    # An already tiny original: the web copy (with a 128k audio track) comes out larger.
    "tiny": ["-c:v", "libx264", "-preset", "veryslow", "-crf", "45", "-an"],
    "eligible": ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "28"],
    "broken": ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "28"],
}


def _make_clip(path: Path, how: str) -> None:
    from media.pipeline import ffmpeg_binary

    inputs = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=15:duration=2"]
    if how != "tiny":
        inputs += ["-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac", "-b:a", "64k"]
    args = [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", *inputs, *ENCODE[how]]
    args += ["-pix_fmt", "yuv420p", "-shortest", str(path)]
    subprocess.run(args, check=True, timeout=120, stdin=subprocess.DEVNULL)
    if how == "broken":
        # Cut the file short (as an interrupted phone upload would): the head still says "MP4".
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])


def _record_failed_job(item_id: int, message: str) -> None:
    """The optimise job of `item_id`, failed for good with `message`, as a worker records it."""
    from django_tasks_db.models import DBTaskResult

    from jobs.models import DispatchKey, JobInfo
    from media import jobstate

    job_id, _ = jobstate.dispatch_optimise(item_id)
    now = timezone.now()
    DBTaskResult.objects.filter(pk=job_id).update(
        status="FAILED",
        started_at=now,
        finished_at=now,
        worker_ids=["demo-worker-1"],
        exception_class_path="media.pipeline.VideoRejected",
        traceback=f"Traceback (most recent call last):\nmedia.pipeline.VideoRejected: {message}\n",
    )
    JobInfo.objects.filter(job_id=uuid.UUID(job_id)).update(reason=f"VideoRejected: {message}")
    DispatchKey.objects.filter(job_id=uuid.UUID(job_id)).delete()


def seed(stdout: TextIO) -> None:
    from homework.services import homework_file_add
    from media.pipeline import VideoRejected, media_optimise

    for title, first_name, parent_email, name, how in VIDEOS:
        parent = User.objects.filter(email=parent_email).first()
        student = Student.objects.filter(first_name=first_name).first()
        if parent is None or student is None or Homework.objects.filter(title=title).exists():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            try:
                _make_clip(path, how)
            except (OSError, subprocess.SubprocessError) as exc:
                stdout.write(f"  skipped demo videos: ffmpeg could not make one ({exc})\n")
                return
            key = storage.new_key("homework", name)
            try:
                storage.upload_from_path(path, key, content_type="video/mp4")
            except storage.StorageUnavailable:
                stdout.write("  skipped demo videos: the file store is unavailable\n")
                return
        homework = Homework.objects.create(student=student, submitted_by=parent, title=title)
        item = homework_file_add(
            actor=parent, homework=homework, storage_key=key, original_name=name, optimise=False
        )
        if how in ("large", "tiny"):
            media_optimise(item_id=item.pk)  # what the worker would do, done now
        elif how == "broken":
            try:
                with transaction.atomic():
                    media_optimise(item_id=item.pk)
            except VideoRejected as exc:
                _record_failed_job(item.pk, exc.message)
        stdout.write(f"  created video homework “{title}” for {student.full_name} ({how})\n")
