import subprocess
import uuid
from pathlib import Path

from media import storage
from media.models import MediaItem, MediaVariant


def stored_video(*, path: Path, uploader, content_type: str = "video/mp4") -> MediaItem:
    """A video item with only its original, stored in the current backend (no job dispatched)."""
    key = storage.new_key("test", path.name)
    storage.upload_from_path(path, key, content_type=content_type)
    size = path.stat().st_size
    item = MediaItem.objects.create(
        uploader=uploader,
        original_name=path.name,
        kind=MediaItem.Kind.VIDEO,
        content_type=content_type,
        size_bytes=size,
    )
    MediaVariant.objects.create(
        item=item, role="original", storage_key=key, size_bytes=size, content_type=content_type
    )
    return item


def ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        timeout=120,
    )


def make_video(
    path: Path,
    size: str,
    *,
    audio: bool,
    seconds: str = "1",
    faststart: bool = True,
    rate: int = 10,
    rotation: int = 0,
) -> Path:
    """A short lavfi test pattern (H.264, optional AAC sine) coded at `size` ("WxH").

    `rotation` adds a display matrix (as a phone does when held upright): the picture stays
    coded at `size` and players turn it by that many degrees.
    """
    inputs = ["-f", "lavfi", "-i", f"testsrc=size={size}:rate={rate}:duration={seconds}"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    encode = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    encode += ["-c:a", "aac", "-b:a", "64k"] if audio else []
    encode += ["-movflags", "+faststart"] if faststart else []
    if not rotation:
        ffmpeg(*inputs, *encode, "-shortest", str(path))
        return path
    coded = path.with_name(f"coded-{path.name}")
    ffmpeg(*inputs, *encode, "-shortest", str(coded))
    ffmpeg("-display_rotation", str(rotation), "-i", str(coded), "-c", "copy", str(path))
    coded.unlink()
    return path


def queued_optimise_job(item: MediaItem) -> str:
    """Dispatch the optimise job for `item` the way the services do (no worker runs it)."""
    from django.db import transaction

    from media import jobstate

    with transaction.atomic():
        job_id, _ = jobstate.dispatch_optimise(item.pk)
    return job_id


def failed_optimise_job(item: MediaItem, message: str, error: str = "media.pipeline.VideoRejected") -> str:
    """An optimise job for `item` that failed for good raising `error` (an exception class path)
    with `message`, as a worker records it; by default refused for its input."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    job_id = queued_optimise_job(item)
    now = timezone.now()
    DBTaskResult.objects.filter(pk=job_id).update(
        status="FAILED",
        started_at=now,
        finished_at=now,
        exception_class_path=error,
        traceback=f"Traceback (most recent call last):\n{error}: {message}\n",
    )
    from jobs.models import DispatchKey, JobInfo

    JobInfo.objects.filter(job_id=uuid.UUID(job_id)).update(reason=f"{error.rpartition('.')[2]}: {message}")
    DispatchKey.objects.filter(job_id=uuid.UUID(job_id)).delete()
    return job_id
