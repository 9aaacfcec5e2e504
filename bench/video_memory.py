#!/usr/bin/env python
"""ProcessVideoProof memory and time benchmark (issue 6). Prints its figures; not a timed test.

    .venv/bin/python bench/video_memory.py [--sizes 50M,500M,2G] [--workdir /tmp/academy-bench]
                                           [--chunk-size 64M] [--keep]

For each input size (generated with the ffmpeg binary: a 10 s lavfi clip with noise and a sine
track, MPEG-4 part 2 at ~100 Mbit/s, then looped with stream copy up to the size, which is fast):

1. the original is uploaded to moto's S3 server, running in its own process on 127.0.0.1;
2. floor: a child process does a plain boto3 `download_file` of the original, the bare ffmpeg
   commands (web MP4 + poster, the pipeline's exact options) on that local copy, and plain
   `upload_file` of both outputs, against the same server;
3. pipeline: a child process (Django set up, SQLite DB, STORAGE_BACKEND=s3) runs
   `process_video_proof.call(media_id)` for an item whose original is that object.

Reported per size: the pipeline worker's peak resident memory (VmHWM from /proc/self/status),
its resident memory before the job, ffmpeg's peak (ru_maxrss of RUSAGE_CHILDREN), and the
wall times of the job and of the floor. Targets (PASS/FAIL): worker peak < 200 MB for every
size; growth from the smallest to the largest size < 30 MB; job wall time <= 1.2 x floor.

Both the floor and the pipeline use the same TransferConfig part size (--chunk-size). moto
answers every ranged GET by reading the whole object, so with 8 MB parts a 2 GB download spends
minutes inside moto; the default here is 64 MB so the store is not the bottleneck. The worker's
memory does not depend on the part size for downloads (boto3 streams each part through a
bounded queue of 256 KB pieces).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024
BUCKET = "academy-bench"


def parse_size(text: str) -> int:
    units = {"K": 1024, "M": MB, "G": 1024 * MB}
    text = text.strip().upper()
    if text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def ffmpeg() -> str:
    if os.environ.get("FFMPEG_BINARY"):
        return os.environ["FFMPEG_BINARY"]
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def vm_status() -> dict[str, int]:
    """VmHWM / VmRSS of this process, in bytes."""
    out: dict[str, int] = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmHWM:", "VmRSS:")):
                name, value = line.split(":", 1)
                out[name] = int(value.split()[0]) * 1024
    return out


def children_maxrss() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


# --- inputs ----------------------------------------------------------------------------------------


def generate_inputs(workdir: Path, sizes: list[int], *, small: bool = False) -> dict[int, Path]:
    chunk = workdir / "chunk-10s.mp4"
    if not chunk.exists():
        geometry = "320x180" if small else "1920x1080"  # a smoke run's clip encodes in a second
        subprocess.run(
            [ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc2=size={geometry}:rate=25:duration=10",
             "-f", "lavfi", "-i", "sine=frequency=440:duration=10",
             "-vf", "noise=alls=8:allf=t", "-c:v", "mpeg4", "-q:v", "3", "-c:a", "aac", "-b:a", "128k",
             str(chunk)],
            check=True,
        )  # fmt: skip
    rate = chunk.stat().st_size / 10  # bytes per second of the clip
    inputs: dict[int, Path] = {}
    for size in sizes:
        path = workdir / f"input-{size // MB}M.mp4"
        if not path.exists() or abs(path.stat().st_size - size) > size * 0.1:
            seconds = size / rate
            subprocess.run(
                [ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-stream_loop", "-1",
                 "-i", str(chunk), "-t", f"{seconds:.2f}", "-c", "copy", str(path)],
                check=True,
            )  # fmt: skip
        inputs[size] = path
    return inputs


# --- S3 --------------------------------------------------------------------------------------------


def s3_client(endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            max_pool_connections=16,
            read_timeout=900,  # moto takes a while to assemble a 2 GB multipart upload
            retries={"max_attempts": 1},
        ),
    )


def transfer_config(chunk: int):
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(
        multipart_threshold=chunk,
        multipart_chunksize=chunk,
        max_concurrency=4,
        io_chunksize=256 * 1024,
        max_io_queue=16,
    )


# --- floor (child) ---------------------------------------------------------------------------------

SCALE = (
    "scale=w='if(gte(iw,ih),min(1280,iw),min(720,iw))':h='if(gte(iw,ih),min(720,ih),min(1280,ih))'"
    ":force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1"
)


def floor_child(endpoint: str, key: str, workdir: Path, chunk: int) -> dict:
    client = s3_client(endpoint)
    config = transfer_config(chunk)
    work = workdir / "floor"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    src, web, poster = work / "original", work / "web.mp4", work / "poster.jpg"
    started = time.perf_counter()
    client.download_file(BUCKET, key, str(src), Config=config)
    downloaded = time.perf_counter()
    subprocess.run(
        [ffmpeg(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-xerror", "-i", str(src),
         "-map", "0:v:0", "-vf", SCALE, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
         "-pix_fmt", "yuv420p", "-map", "0:a:0", "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-sn", "-dn",
         "-map_metadata", "-1", "-threads", "2", "-movflags", "+faststart", "-y", str(web)],
        check=True,
    )  # fmt: skip
    subprocess.run(
        [ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-ss", "1", "-i", str(web),
         "-frames:v", "1", "-q:v", "3", "-threads", "2", "-y", str(poster)],
        check=True,
    )  # fmt: skip
    encoded = time.perf_counter()
    client.upload_file(str(web), BUCKET, f"floor/{key}.web.mp4", Config=config)
    client.upload_file(str(poster), BUCKET, f"floor/{key}.poster.jpg", Config=config)
    finished = time.perf_counter()
    web_size = web.stat().st_size
    shutil.rmtree(work)
    return {
        "wall": finished - started,
        "download": downloaded - started,
        "ffmpeg": encoded - downloaded,
        "upload": finished - encoded,
        "vmhwm": vm_status()["VmHWM"],
        "ffmpeg_maxrss": children_maxrss(),
        "web_size": web_size,
    }


# --- pipeline (child) ------------------------------------------------------------------------------


def pipeline_child(key: str, size: int) -> dict:
    import django

    django.setup()
    from accounts.models import Role, User
    from media.models import MediaItem, MediaVariant
    from media.tasks import process_video_proof

    user, _ = User.objects.get_or_create(
        email="bench@example.test", defaults={"full_name": "Bench", "role": Role.CUSTOMER}
    )
    item = MediaItem.objects.create(
        uploader=user,
        original_name=key,
        kind="video",
        content_type="video/mp4",
        size_bytes=size,
    )
    MediaVariant.objects.create(
        item=item, role="original", storage_key=key, size_bytes=size, content_type="video/mp4"
    )
    from media import storage

    storage.s3_client()  # a worker creates its client once, as the floor does before its clock starts
    before = vm_status()
    started = time.perf_counter()
    process_video_proof.call(item.pk)
    wall = time.perf_counter() - started
    after = vm_status()
    web = item.variants.get(role="web")
    return {
        "wall": wall,
        "vmrss_before": before["VmRSS"],
        "vmhwm_before": before["VmHWM"],
        "vmhwm": after["VmHWM"],
        "ffmpeg_maxrss": children_maxrss(),
        "variants": item.variants.count(),
        "web_size": web.size_bytes,
        "web_dims": f"{web.width}x{web.height}",
    }


# --- driver ----------------------------------------------------------------------------------------


def run_child(args: list[str], env: dict[str, str]) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"child {args[0]} failed with exit status {completed.returncode}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def fmt_mb(value: float) -> str:
    return f"{value / MB:7.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="50M,500M,2G")
    parser.add_argument("--workdir", default="/tmp/academy-bench")
    parser.add_argument("--chunk-size", default="64M")
    parser.add_argument("--keep", action="store_true", help="keep generated inputs for the next run")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="1 and 2 MB from a small clip, seconds: does the bench still work?",
    )
    parser.add_argument("--floor", nargs=3, metavar=("ENDPOINT", "KEY", "CHUNK"), help=argparse.SUPPRESS)
    parser.add_argument("--pipeline", nargs=2, metavar=("KEY", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = Path(args.workdir)

    if args.floor:
        endpoint, key, chunk = args.floor
        print(json.dumps(floor_child(endpoint, key, workdir, int(chunk))))
        return 0
    if args.pipeline:
        key, size = args.pipeline
        print(json.dumps(pipeline_child(key, int(size))))
        return 0

    if args.smoke:
        args.sizes, workdir = "1M,2M", workdir / "smoke"
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    chunk = parse_size(args.chunk_size)
    workdir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(workdir).free
    needed = int(sum(sizes) * 2 + max(sizes) * 3)  # inputs, moto's copy, two temp copies
    print(f"disk: {free / 1024**3:.1f} GB free in {workdir}, about {needed / 1024**3:.1f} GB needed")
    if free < needed:
        print("FAIL: not enough disk space for these sizes")
        return 2

    print(f"ffmpeg: {ffmpeg()}")
    t0 = time.perf_counter()
    inputs = generate_inputs(workdir, sizes, small=args.smoke)
    print(f"inputs generated in {time.perf_counter() - t0:.1f} s: " + ", ".join(
        f"{p.name} {p.stat().st_size / MB:.0f} MB" for p in inputs.values()))  # fmt: skip

    from tests.s3_fixtures import start_moto_server

    moto, endpoint = start_moto_server()
    print(f"moto S3 server: {endpoint} (pid {moto.pid}); part size {chunk // MB} MB, concurrency 4")
    db = workdir / "bench.sqlite3"
    db.unlink(missing_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "academy.settings",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghij",
        "EMAIL_BACKEND": "locmem",
        "DATABASE_URL": f"sqlite:///{db}",
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
        "S3_TRANSFER_CHUNK_SIZE": str(chunk),
        "S3_TRANSFER_CONCURRENCY": "4",
        "MEDIA_WORK_DIR": str(workdir),
        "LOG_LEVEL": "WARNING",
    }
    results = []
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True
        )
        client = s3_client(endpoint)
        client.create_bucket(Bucket=BUCKET)
        for path in inputs.values():
            key = f"bench/{path.name}"
            actual = path.stat().st_size
            client.upload_file(str(path), BUCKET, key, Config=transfer_config(chunk))
            floor = run_child(["--workdir", str(workdir), "--floor", endpoint, key, str(chunk)], env)
            pipe = run_child(["--pipeline", key, str(actual)], env)
            results.append((actual, floor, pipe))
            print(
                f"{actual / MB:6.0f} MB: worker peak {fmt_mb(pipe['vmhwm'])} (before job {fmt_mb(pipe['vmrss_before'])}),"
                f" ffmpeg peak {fmt_mb(pipe['ffmpeg_maxrss'])}; job {pipe['wall']:.1f} s vs floor {floor['wall']:.1f} s"
                f" (download {floor['download']:.1f} + ffmpeg {floor['ffmpeg']:.1f} + upload {floor['upload']:.1f});"
                f" floor process peak {fmt_mb(floor['vmhwm'])}; web {pipe['web_dims']} {pipe['web_size'] / MB:.1f} MB",
                flush=True,
            )
            client.delete_object(Bucket=BUCKET, Key=key)
    finally:
        moto.terminate()
        moto.wait(timeout=30)
        db.unlink(missing_ok=True)
        if not args.keep:
            for path in inputs.values():
                path.unlink(missing_ok=True)

    print()
    print(f"{'size':>8} {'worker VmHWM':>14} {'ffmpeg maxrss':>14} {'job s':>8} {'floor s':>8} {'ratio':>6}")
    for actual, floor, pipe in results:
        print(
            f"{actual / MB:6.0f}MB {fmt_mb(pipe['vmhwm']):>14} {fmt_mb(pipe['ffmpeg_maxrss']):>14}"
            f" {pipe['wall']:8.1f} {floor['wall']:8.1f} {pipe['wall'] / floor['wall']:6.2f}"
        )
    print()
    ok = True

    def verdict(passed: bool, text: str) -> None:
        nonlocal ok
        ok = ok and passed
        print(f"{'PASS' if passed else 'FAIL'}: {text}")

    for actual, _floor, pipe in results:
        verdict(
            pipe["vmhwm"] < 200 * MB,
            f"{actual / MB:.0f} MB: worker peak {fmt_mb(pipe['vmhwm']).strip()} < 200 MB",
        )
    if len(results) > 1:
        growth = results[-1][2]["vmhwm"] - results[0][2]["vmhwm"]
        verdict(
            growth < 30 * MB,
            f"worker peak growth {results[0][0] / MB:.0f} MB -> {results[-1][0] / MB:.0f} MB: {growth / MB:+.1f} MB < 30 MB",
        )
    for actual, floor, pipe in results:
        ratio = pipe["wall"] / floor["wall"]
        text = f"{actual / MB:.0f} MB: job {pipe['wall']:.1f} s <= 1.2 x floor {floor['wall']:.1f} s (x{ratio:.2f})"
        if args.smoke:  # a second's clip is mostly process start-up: its timing is no verdict
            print(f"not judged at smoke sizes: {text}")
        else:
            verdict(ratio <= 1.2, text)
    if args.smoke:  # tiny inputs prove the bench runs
        return 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
