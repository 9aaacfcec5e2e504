"""ProcessVideoProof: original (remote) -> temp file -> probe -> ffmpeg on disk -> upload -> variants.

Memory is flat whatever the size: the original is streamed to disk by the storage module, ffmpeg
reads and writes files, and the results are streamed back. Nothing holds the video in Python.

    media_optimise(*, item_id) -> OptimiseResult

Idempotent (an item that already has its web variant is left alone); the variants are created in
one transaction at the very end, so a failure or a crash at any step leaves no partial variant;
objects uploaded by a failed attempt are deleted; the temp directory is removed on every path.
`VideoRejected` (a bad input) is permanent; `storage.StorageUnavailable` is transient.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from academy.errors import DomainError
from media import storage
from media.models import MediaItem, MediaVariant

logger = logging.getLogger("media.pipeline")

MAX_W, MAX_H = 1280, 720
# ffmpeg gets this long plus FFMPEG_TIMEOUT_PER_VIDEO_SECOND for each second of video: start-up
# and a loaded machine cost time even for a one-second clip.
FFMPEG_TIMEOUT_FLOOR_SECONDS = 60


class VideoRejected(DomainError):
    """The input is not a usable video (not a video, truncated, corrupt): permanent, no retry."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__("video_rejected", message)


@dataclass(frozen=True)
class Probe:
    duration: float
    width: int  # as displayed: a phone's 90° display matrix swaps the coded width and height
    height: int
    video_codec: str
    has_audio: bool
    fps: float = 0.0


@dataclass(frozen=True)
class OptimiseResult:
    item_id: int
    skipped: bool
    variants: tuple[str, ...] = ()


def ffmpeg_binary() -> str:
    if settings.FFMPEG_BINARY:
        return str(settings.FFMPEG_BINARY)
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def _human_seconds(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "", f"{secs} s" if secs else ""]
    return " ".join(p for p in parts if p) or "0 s"


def _check_limits(duration: float, width: int, height: int, fps: float) -> None:
    """Refuse, before any decoding, what would cost more than the academy allows (permanent)."""
    max_seconds = settings.MEDIA_MAX_VIDEO_SECONDS
    if duration > max_seconds:
        raise VideoRejected(
            f"This video is {_human_seconds(duration)} long; videos may be at most "
            f"{_human_seconds(max_seconds)}. Please send a shorter clip."
        )
    max_pixels = settings.MEDIA_MAX_VIDEO_PIXELS
    if width * height > max_pixels:
        raise VideoRejected(
            f"This video's picture is {width}\N{MULTIPLICATION SIGN}{height} ({width * height / 1e6:.1f} megapixels); "
            f"the limit is {max_pixels / 1e6:.1f} megapixels. Please record at a lower resolution."
        )
    max_fps = settings.MEDIA_MAX_VIDEO_FPS
    if fps > max_fps * 1.01:  # variable frame rates average a little over their nominal rate
        raise VideoRejected(
            f"This video has {fps:.0f} frames per second; at most {max_fps} are accepted. "
            "Please record at a normal frame rate (not slow motion)."
        )


def ffmpeg_timeout(duration: float) -> float:
    """How long ffmpeg may take: follows the probed duration, never above FFMPEG_TIMEOUT_SECONDS."""
    allowed = FFMPEG_TIMEOUT_FLOOR_SECONDS + settings.FFMPEG_TIMEOUT_PER_VIDEO_SECOND * duration
    return float(min(settings.FFMPEG_TIMEOUT_SECONDS, allowed))


def probe(path: Path, *, limits: bool = True) -> Probe:
    """Read the container headers with PyAV: at least one video stream and a positive duration.

    With `limits`, a video over MEDIA_MAX_VIDEO_SECONDS / _PIXELS / _FPS is refused from its
    headers, before a frame is decoded. Width and height are the displayed ones (rotation applied).
    """
    import av

    try:
        with av.open(str(path), "r") as container:
            videos = list(container.streams.video)
            if not videos:
                raise VideoRejected("This file has no video in it, so it cannot be played as a video.")
            video = videos[0]
            duration = 0.0
            if container.duration:
                duration = container.duration / 1_000_000
            elif video.duration and video.time_base:
                duration = float(video.duration * video.time_base)
            if duration <= 0:
                raise VideoRejected("This video has no length; it may be incomplete.")
            ctx = video.codec_context
            width, height = int(ctx.width or 0), int(ctx.height or 0)
            if not width or not height:
                raise VideoRejected("This video has no picture size; it may be damaged.")
            rate = video.average_rate or video.guessed_rate
            fps = float(rate) if rate else 0.0
            if limits:
                _check_limits(duration, width, height, fps)
            # Decoding one frame proves the stream is real, not just plausible headers.
            try:
                frame = next(container.decode(video=0))
            except StopIteration:
                raise VideoRejected("This video has no frames; it may be incomplete.") from None
            if round(frame.rotation) % 180 == 90:  # a portrait phone video stored sideways
                width, height = height, width
            return Probe(duration, width, height, str(ctx.name or ""), bool(container.streams.audio), fps)
    except VideoRejected:
        raise
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise VideoRejected(
            "This file is not a video we can read: it may be incomplete, damaged or another kind of file."
        ) from exc


def _run_ffmpeg(args: list[str], workdir: Path, what: str, *, timeout: float) -> None:
    log = workdir / f"{what}.log"
    with open(log, "wb") as stderr:
        try:
            completed = subprocess.run(
                [ffmpeg_binary(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                timeout=timeout,
                check=False,
                cwd=workdir,
            )
        except subprocess.TimeoutExpired:
            raise VideoRejected(
                f"Converting this video took longer than {_human_seconds(max(1.0, timeout))}; it was stopped."
            ) from None
    if completed.returncode != 0:
        with open(log, "rb") as f:
            f.seek(max(0, log.stat().st_size - 2000))
            tail = f.read().decode("utf-8", "replace").strip().splitlines()
        detail = tail[-1] if tail else f"exit status {completed.returncode}"
        if completed.returncode < 0:  # killed by a signal (memory limit, shutdown): not the input's fault
            raise RuntimeError(f"ffmpeg ({what}) was killed by signal {-completed.returncode}")
        raise VideoRejected(f"This video could not be converted ({detail}).")


SCALE = (
    # Fit inside 1280x720 (720x1280 for portrait), keep the aspect ratio, never upscale, even sizes.
    f"scale=w='if(gte(iw,ih),min({MAX_W},iw),min({MAX_H},iw))':h='if(gte(iw,ih),min({MAX_H},ih),min({MAX_W},ih))'"
    ":force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1"
)


def transcode(src: Path, dst: Path, info: Probe, workdir: Path) -> None:
    audio = ["-map", "0:a:0", "-c:a", "aac", "-b:a", "128k", "-ac", "2"] if info.has_audio else ["-an"]
    _run_ffmpeg(
        [
            "-xerror",
            "-i", str(src),
            # Headers can understate the length: never convert more than the limit allows.
            "-t", str(settings.MEDIA_MAX_VIDEO_SECONDS),
            "-map", "0:v:0",
            "-vf", SCALE,
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
            *audio,
            "-sn", "-dn", "-map_metadata", "-1",
            "-threads", "2",
            "-movflags", "+faststart",
            "-y", str(dst),
        ],
        workdir,
        "transcode",
        timeout=ffmpeg_timeout(info.duration),
    )  # fmt: skip


def make_poster(web: Path, dst: Path, duration: float, workdir: Path) -> None:
    at = f"{min(1.0, duration / 2):.3f}"
    _run_ffmpeg(
        ["-ss", at, "-i", str(web), "-frames:v", "1", "-q:v", "3", "-threads", "2", "-y", str(dst)],
        workdir,
        "poster",
        timeout=ffmpeg_timeout(min(duration, 1.0)),
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _image_size(path: Path) -> tuple[int, int]:
    import av

    with av.open(str(path)) as container:
        ctx = container.streams.video[0].codec_context
        return int(ctx.width), int(ctx.height)


def _variant_key(original_key: str, role: str, ext: str) -> str:
    stem = original_key.rsplit(".", 1)[0] if "." in original_key.rsplit("/", 1)[-1] else original_key
    return f"{stem}.{role}-{os.urandom(4).hex()}.{ext}"


def media_optimise(*, item_id: int) -> OptimiseResult:
    item = MediaItem.objects.get(pk=item_id)
    if item.variants.filter(role=MediaVariant.Role.WEB).exists():
        return OptimiseResult(item_id, skipped=True)
    original = item.variants.get(role=MediaVariant.Role.ORIGINAL)
    workroot = settings.MEDIA_WORK_DIR or None
    uploaded: list[str] = []
    with tempfile.TemporaryDirectory(prefix=f"media-{item_id}-", dir=workroot) as tmp:
        work = Path(tmp)
        src, web, poster = work / "original", work / "web.mp4", work / "poster.jpg"
        try:
            storage.download_to_path(original.storage_key, src)
            info = probe(src)
            transcode(src, web, info, work)
            web_info = probe(web, limits=False)  # ours: scaled down, cut at the duration limit
            make_poster(web, poster, web_info.duration, work)
            poster_w, poster_h = _image_size(poster)
            web_key = _variant_key(original.storage_key, "web", "mp4")
            poster_key = _variant_key(original.storage_key, "poster", "jpg")
            # Listed before the upload: a half-finished upload is cleaned up too.
            uploaded.append(web_key)
            storage.upload_from_path(web, web_key, content_type="video/mp4")
            uploaded.append(poster_key)
            storage.upload_from_path(poster, poster_key, content_type="image/jpeg")
            original_sha = "" if original.checksum_sha256 else sha256_of(src)
            created = _record_variants(
                item_id=item_id,
                original_id=original.pk,
                original_sha=original_sha,
                info=info,
                web=MediaVariant(
                    role=MediaVariant.Role.WEB,
                    storage_key=web_key,
                    size_bytes=web.stat().st_size,
                    content_type="video/mp4",
                    codec=f"h264{'+aac' if web_info.has_audio else ''}",
                    width=web_info.width,
                    height=web_info.height,
                    checksum_sha256=sha256_of(web),
                ),
                poster=MediaVariant(
                    role=MediaVariant.Role.POSTER,
                    storage_key=poster_key,
                    size_bytes=poster.stat().st_size,
                    content_type="image/jpeg",
                    codec="mjpeg",
                    width=poster_w,
                    height=poster_h,
                    checksum_sha256=sha256_of(poster),
                ),
            )
        except BaseException:
            _discard(uploaded)
            raise
    if not created:  # another run finished first: ours are surplus
        _discard(uploaded)
        return OptimiseResult(item_id, skipped=True)
    logger.info("media %s optimised: web %s, poster %s", item_id, uploaded[0], uploaded[1])
    return OptimiseResult(item_id, skipped=False, variants=("web", "poster"))


@transaction.atomic
def _record_variants(
    *,
    item_id: int,
    original_id: int,
    original_sha: str,
    info: Probe,
    web: MediaVariant,
    poster: MediaVariant,
) -> bool:
    item = MediaItem.objects.select_for_update().get(pk=item_id)
    if item.variants.filter(role=MediaVariant.Role.WEB).exists():
        return False
    web.item = item
    poster.item = item
    MediaVariant.objects.bulk_create([web, poster])
    MediaItem.objects.filter(pk=item_id).update(
        duration_seconds=info.duration, width=info.width, height=info.height
    )
    # The original's facts are the probe's (display dimensions); its checksum only if unknown.
    MediaVariant.objects.filter(pk=original_id).update(
        codec=info.video_codec, width=info.width, height=info.height
    )
    if original_sha:
        MediaVariant.objects.filter(pk=original_id, checksum_sha256="").update(checksum_sha256=original_sha)
    return True


def _discard(keys: list[str]) -> None:
    for key in keys:
        try:
            storage.delete(key)
        except DomainError:
            logger.warning("could not delete surplus object %s; it is unreferenced", key)
