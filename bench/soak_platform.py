"""The deployment the soak runs: its processes, its people and its files, on this one machine.

PostgreSQL (a fresh database), moto's S3 server behind the bench's proxy, two gunicorn
instances on two ports, job workers with a memory limit, two schedulers; each process is a child
of the bench, restarted by it after a fault as a supervisor (systemd, Kubernetes) would.
"""

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.s3_fixtures, media.tests.factories

PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PASSWORD = "soak-pass-2026-long"
BUCKET = "academy-soak"
MEMORY_LIMIT = "512M"
METRICS_TOKEN = secrets.token_urlsafe(24)


@dataclass
class Platform:
    env: dict[str, str]
    var: Path
    web_ports: list[int]
    gunicorn_workers: int
    worker_count: int
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = (self.var / f"{name}.log").open("ab")
        process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def start_web(self, index: int) -> None:
        port = self.web_ports[index]
        argv = [GUNICORN, "academy.wsgi", "-w", str(self.gunicorn_workers), "-b", f"127.0.0.1:{port}"]
        self._spawn(f"web{index}", [*argv, "--timeout", "60", "--log-level", "warning"])

    def start_worker(self, index: int) -> subprocess.Popen[bytes]:
        argv = [PY, "manage.py", "worker", "--queues", "*", "--memory-limit", MEMORY_LIMIT]
        return self._spawn(f"worker{index}", [*argv, "--interval", "0.5"])

    def start_scheduler(self, index: int) -> subprocess.Popen[bytes]:
        return self._spawn(f"scheduler{index}", [PY, "manage.py", "scheduler", "--tick", "2"])

    def start_all(self) -> None:
        for index in range(len(self.web_ports)):
            self.start_web(index)
        for index in range(self.worker_count):
            self.start_worker(index)
        for index in range(2):
            self.start_scheduler(index)
        for port in self.web_ports:
            wait_http(f"http://127.0.0.1:{port}/healthz", 60)

    def names(self, prefix: str) -> list[str]:
        return sorted(n for n in self.processes if n.startswith(prefix))

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.2)


def base_env(*, database_url: str, var: Path, s3_endpoint: str) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var),
        "MEDIA_WORK_DIR": str(var / "work"),
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "console",
        # Persistent connections, as production runs (bench/incidents.py likewise): a terminated
        # connection then lingers in every process until it is noticed, the harder case.
        "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "60"),
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        # Multipart for the larger videos (the S3 minimum part size), so that parts are resumed.
        "HOMEWORK_UPLOAD_PART_SIZE": "5M",
        # A lost worker's job is seen as stuck after this long (the reaper runs every minute).
        "JOBS_STALE_AFTER_SECONDS": "15",
        # One machine: every process counts into one directory, /metrics adds them all up.
        "PROMETHEUS_MULTIPROC_DIR": str(var / "metrics"),
        "METRICS_TOKEN": METRICS_TOKEN,
        # The soak's browsers report from one address: the limiter is not what it measures.
        "INCIDENT_RATE_LIMIT_PER_MINUTE": "100000",
        "INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE": "100000",
        "INCIDENT_RATE_LIMIT_BURST": "100000",
        "INCIDENT_RATE_LIMIT_PER_IP_BURST": "100000",
    }


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


SEED = """
import json
from datetime import date
from accounts.models import Role, User
from academics.models import Student
from academics.tasks.models import Recurrence
from academics.tasks.services import task_create
P = {password!r}
admins = []
for i in range({admins}):
    u = User.objects.create_user(email=f"admin{{i}}@soak.test", password=P, role=Role.ADMIN, full_name=f"Soak Admin {{i}}")
    admins.append(u.pk)
parents = []
for i in range({parents}):
    u = User.objects.create_user(email=f"parent{{i}}@soak.test", password=P, role=Role.CUSTOMER, full_name=f"Soak Parent {{i}}")
    kids = []
    for k in range(2):
        s = Student.objects.create(first_name=f"Kid{{k}}", last_name=f"Family{{i}}")
        s.customers.add(u)
        kids.append(s.pk)
    parents.append({{"id": u.pk, "email": u.email, "students": kids}})
actor = User.objects.get(pk=admins[0])
everyone = list(Student.objects.all())
task_create(actor=actor, title="Read for 20 minutes", students=everyone, start_date=date.today(), recurrence=Recurrence.DAILY)
task_create(actor=actor, title="Times tables", students=everyone[::2], start_date=date.today(), recurrence=Recurrence.WEEKDAYS)
print(json.dumps({{"admins": admins, "parents": parents, "students": [s.pk for s in everyone]}}))
"""


def prepare_database(env: dict[str, str], *, admins: int, parents: int) -> dict:
    from pg import reset_database  # bench/pg.py

    reset_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--noinput")
    out = manage(env, "shell", "-c", SEED.format(password=PASSWORD, admins=admins, parents=parents))
    return dict(json.loads(out.strip().splitlines()[-1]))


def create_bucket(moto_endpoint: str) -> None:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)


@dataclass(frozen=True)
class Sample:
    path: Path
    kind: str  # what the soak expects: "video" (readable), "unreadable", "document"
    content_type: str


def make_samples(root: Path) -> list[Sample]:
    """Real files, varied as parents' phones make them; each generated once per run."""
    _django()
    from media.tests.factories import ffmpeg, make_video

    root.mkdir(parents=True, exist_ok=True)
    samples = [
        Sample(make_video(root / "landscape.mp4", "320x240", audio=True, seconds="2"), "video", "video/mp4"),
        # Portrait, as a phone records it: landscape pixels with a 90° display rotation.
        Sample(_rotated(root, ffmpeg, make_video), "video", "video/mp4"),
        Sample(
            make_video(root / "tall.mp4", "240x426", audio=False, seconds="2"), "video", "video/quicktime"
        ),
        # The index (moov) at the end, as many cameras write it.
        Sample(
            make_video(root / "index-at-end.mp4", "320x240", audio=True, seconds="2", faststart=False),
            "video",
            "video/mp4",
        ),
        Sample(_truncated(root, make_video), "unreadable", "video/mp4"),
        Sample(_large(root, ffmpeg), "video", "video/mp4"),
        Sample(_pdf(root / "worksheet.pdf"), "document", "application/pdf"),
    ]
    return samples


def _django() -> None:
    """The test factories import the media models: configure Django (nothing else is used)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")
    os.environ.setdefault("DEBUG", "1")
    django.setup()


def _rotated(root: Path, ffmpeg, make_video) -> Path:  # type: ignore[no-untyped-def]
    plain = make_video(root / "phone-raw.mp4", "320x180", audio=True, seconds="2")
    out = root / "phone-portrait.mp4"
    ffmpeg("-display_rotation", "90", "-i", str(plain), "-c", "copy", str(out))
    return out


def _truncated(root: Path, make_video) -> Path:  # type: ignore[no-untyped-def]
    full = make_video(root / "long.mp4", "320x240", audio=True, seconds="3", faststart=False)
    cut = root / "cut-off.mp4"
    with open(full, "rb") as src, open(cut, "wb") as dst:
        dst.write(src.read(full.stat().st_size // 2))
    return cut


def _large(root: Path, ffmpeg) -> Path:  # type: ignore[no-untyped-def]
    """~11 MB: three 5 MB parts through S3 multipart (noise keeps the encoder from shrinking it)."""
    out = root / "long-take.mp4"
    ffmpeg(
        *("-f", "lavfi", "-i", "testsrc=size=480x270:rate=25:duration=3"),
        *("-vf", "noise=alls=80:allf=t", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "8"),
        *("-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out)),
    )
    return out


def _pdf(path: Path) -> Path:
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
    )
    path.write_bytes(body + b"%" + b"worksheet " * 3000 + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    return path
