"""Academy settings: one file, every value from the environment, parsed strictly."""

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from academy.env import Env, parse_size

env = Env()
BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", False)
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", "dev-only-insecure-key-academy-do-not-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY", required=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

# No django.contrib.admin: its login form would be a second way in around the login throttle,
# and the product's own pages cover everything it offered (accounts/tests/test_login_paths.py).
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "academy",
    "accounts",
    "audit",
    "academics",
    "homework",
    "media",
    "jobs",
    "incidents",
    "ui",
]

MIDDLEWARE = [
    "academy.metrics.MetricsMiddleware",  # first: it times and counts every answer
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "academy.request_id.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "academy.query.QueryStringMiddleware",
    "academy.errors.ErrorContractMiddleware",
]

ROOT_URLCONF = "academy.urls"
WSGI_APPLICATION = "academy.wsgi.application"
ASGI_APPLICATION = "academy.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "ui.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite under var/ by default (WAL, busy timeout, immediate transactions so that
# concurrent writers queue instead of failing), PostgreSQL in production via DATABASE_URL.
SQLITE_PATH = VAR_DIR / "academy.sqlite3"
DATABASE_URL = env.str("DATABASE_URL", f"sqlite:///{SQLITE_PATH}")
if not DATABASE_URL.startswith(("sqlite://", "postgres://", "postgresql://")):
    raise ImproperlyConfigured(
        "DATABASE_URL must start with sqlite:// or postgres:// (postgresql://); "
        f"got {DATABASE_URL.split(':', 1)[0]!r}."
    )
# Health checks: a persistent connection (DB_CONN_MAX_AGE > 0) is pinged before a request reuses
# it, so one the server dropped (failover, restart, pg_terminate_backend) is replaced instead of
# failing that request with a 500 (found by bench/soak.py). No cost while DB_CONN_MAX_AGE is 0.
_db = dj_database_url.parse(
    DATABASE_URL, conn_max_age=env.int("DB_CONN_MAX_AGE", 0, minimum=0), conn_health_checks=True
)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] and _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 10,
    }
    _db["TEST"] = {"NAME": env.str("SQLITE_TEST_NAME", "") or None}
DATABASES = {"default": _db}
if _db["ENGINE"] == "django.db.backends.sqlite3" and _db["NAME"] not in ("", ":memory:"):
    # The incident inbox, a second file beside the main one (incidents/inbox.py):
    # var/academy.sqlite3 gets var/academy-inbox.sqlite3, and the test database likewise.
    def _beside(path: str) -> str:
        root, extension = os.path.splitext(path)
        return f"{root}-inbox{extension}"

    DATABASES["incident_inbox"] = {
        **_db,
        "NAME": _beside(str(_db["NAME"])),
        "OPTIONS": dict(_db["OPTIONS"]),
        "TEST": {"NAME": _beside(_db["TEST"]["NAME"]) if _db["TEST"]["NAME"] else None},
    }
DATABASE_ROUTERS = ["incidents.inbox.Router"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "academy_cache",
    }
}

AUTH_USER_MODEL = "accounts.User"
# Django's own: the plain-SQL session and user reads that were here saved ~1-3 ms of a request's
# CPU, below the noise of a typical admin page (60-85 ms, +-15 ms run to run; issue 17).
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
SESSION_ENGINE = "django.contrib.sessions.backends.db"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_THROTTLE_ATTEMPTS = env.int("LOGIN_THROTTLE_ATTEMPTS", 5, minimum=1)
LOGIN_THROTTLE_WINDOW_SECONDS = env.int("LOGIN_THROTTLE_WINDOW_SECONDS", 900, minimum=1)
# Each password-reset request sends an email: so many per email (4x per address) a window.
PASSWORD_RESET_THROTTLE_ATTEMPTS = env.int("PASSWORD_RESET_THROTTLE_ATTEMPTS", 3, minimum=1)
PASSWORD_RESET_THROTTLE_WINDOW_SECONDS = env.int("PASSWORD_RESET_THROTTLE_WINDOW_SECONDS", 3600, minimum=1)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", "Europe/London")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f"TIME_ZONE={TIME_ZONE!r} is not a known IANA time zone (e.g. Europe/London)."
    ) from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(VAR_DIR / "media")))

# Storage: local files by default; any S3-compatible store (R2, S3, MinIO) when STORAGE_BACKEND=s3.
STORAGE_BACKEND = env.choice("STORAGE_BACKEND", "local", ("local", "s3"))
S3_BUCKET = env.str("S3_BUCKET", "")
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", "")
S3_REGION = env.str("S3_REGION", "auto")
S3_ACCESS_KEY_ID = env.str("S3_ACCESS_KEY_ID", "")
S3_SECRET_ACCESS_KEY = env.str("S3_SECRET_ACCESS_KEY", "")
# Multipart transfers in fixed-size parts: a worker's memory stays flat whatever the file size.
S3_TRANSFER_CHUNK_SIZE = env.size("S3_TRANSFER_CHUNK_SIZE", 8 * 1024 * 1024)
S3_TRANSFER_CONCURRENCY = env.int("S3_TRANSFER_CONCURRENCY", 4, minimum=1)
if S3_TRANSFER_CHUNK_SIZE < 5 * 1024 * 1024:
    raise ImproperlyConfigured("S3_TRANSFER_CHUNK_SIZE must be at least 5M (the S3 minimum part size).")
# The botocore options of every S3 call (media/store_s3.py uses the client of the S3Storage below):
# R2 rejects the newer default checksums, so send/validate them only when required; a pool large
# enough for the transfer threads; bounded retries and timeouts, so an outage is a quick 503.
S3_CLIENT_OPTIONS = {
    "request_checksum_calculation": "when_required",
    "response_checksum_validation": "when_required",
    "retries": {"max_attempts": 3, "mode": "standard"},
    "connect_timeout": 10,
    "read_timeout": 60,
    "max_pool_connections": max(10, S3_TRANSFER_CONCURRENCY * 2),
    "signature_version": "s3v4",
}
if STORAGE_BACKEND == "s3":
    from botocore.config import Config as _botocore_config

    if not S3_BUCKET:
        raise ImproperlyConfigured("S3_BUCKET must be set when STORAGE_BACKEND=s3.")
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "region_name": S3_REGION,
            "access_key": S3_ACCESS_KEY_ID or None,
            "secret_key": S3_SECRET_ACCESS_KEY or None,
            "file_overwrite": False,
            "querystring_auth": True,
            "client_config": _botocore_config(**S3_CLIENT_OPTIONS),
        },
    }
else:
    _media_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Media: upload limits and the video pipeline (media/pipeline.py).
MEDIA_MAX_VIDEO_BYTES = env.size("MEDIA_MAX_VIDEO_BYTES", 2 * 1024**3)
MEDIA_MAX_FILE_BYTES = env.size("MEDIA_MAX_FILE_BYTES", 50 * 1024**2)
# Homework uploads (homework/uploads.py): local chunks are raw request bodies, kept under the
# request-body limit; S3 multipart parts are equal (R2 requires it) and at least 5 MB.
HOMEWORK_UPLOAD_CHUNK_SIZE = env.size("HOMEWORK_UPLOAD_CHUNK_SIZE", 4 * 1024 * 1024)
HOMEWORK_UPLOAD_PART_SIZE = env.size("HOMEWORK_UPLOAD_PART_SIZE", 8 * 1024 * 1024)
# Per customer: uploads open at once, and bytes started in any 24 hours (cancelled ones excepted).
HOMEWORK_MAX_OPEN_UPLOADS = env.int("HOMEWORK_MAX_OPEN_UPLOADS", 10, minimum=1)
HOMEWORK_MAX_UPLOAD_BYTES_PER_DAY = env.size("HOMEWORK_MAX_UPLOAD_BYTES_PER_DAY", 10 * 1024**3)
# Empty means the binary shipped by the imageio-ffmpeg wheel; a set path must be executable.
FFMPEG_BINARY = env.str("FFMPEG_BINARY", "")
if FFMPEG_BINARY and not (Path(FFMPEG_BINARY).is_file() and os.access(FFMPEG_BINARY, os.X_OK)):
    raise ImproperlyConfigured(f"FFMPEG_BINARY={FFMPEG_BINARY!r} is not an executable file.")
# ffmpeg may run 60 s plus this many seconds per second of the probed video, never more than
# FFMPEG_TIMEOUT_SECONDS.
FFMPEG_TIMEOUT_SECONDS = env.int("FFMPEG_TIMEOUT_SECONDS", 3600, minimum=1)
FFMPEG_TIMEOUT_PER_VIDEO_SECOND = env.int("FFMPEG_TIMEOUT_PER_VIDEO_SECOND", 4, minimum=1)
# Video cost: the pipeline refuses (permanently, with the reason shown) what is over these, from
# the probed headers, before converting anything.
MEDIA_MAX_VIDEO_SECONDS = env.int("MEDIA_MAX_VIDEO_SECONDS", 15 * 60, minimum=1)
MEDIA_MAX_VIDEO_PIXELS = env.int("MEDIA_MAX_VIDEO_PIXELS", 3840 * 2160, minimum=1)
MEDIA_MAX_VIDEO_FPS = env.int("MEDIA_MAX_VIDEO_FPS", 60, minimum=1)
# Where jobs put their temporary copies; empty means the system temp dir.
MEDIA_WORK_DIR = env.str("MEDIA_WORK_DIR", "")

if HOMEWORK_UPLOAD_PART_SIZE < 5 * 1024 * 1024:
    raise ImproperlyConfigured("HOMEWORK_UPLOAD_PART_SIZE must be at least 5M (the S3 minimum part size).")

# Background jobs: django.tasks on the database backend (see the jobs app).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Email: SMTP when EMAIL_BACKEND=smtp; console by default only in development. In production the
# console would put password-reset and invitation links in the logs, so it must be chosen.
_EMAIL_BACKENDS = ("console", "smtp", "locmem")
if not DEBUG and not env.is_set("EMAIL_BACKEND"):
    raise ImproperlyConfigured(
        "EMAIL_BACKEND must be set when DEBUG is off: smtp to send email (with EMAIL_HOST ...), or "
        "console to write emails, with their password-reset and invitation links, to the log."
    )
_email_backend = env.choice("EMAIL_BACKEND", "console", _EMAIL_BACKENDS)
_email_options: dict[str, object] = {}
if _email_backend == "smtp":
    _email_options = {
        "host": env.str("EMAIL_HOST", "localhost"),
        "port": env.int("EMAIL_PORT", 587, minimum=1),
        "username": env.str("EMAIL_HOST_USER", ""),
        "password": env.str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env.bool("EMAIL_USE_TLS", True),
    }
MAILERS = {
    "default": {
        "BACKEND": f"django.core.mail.backends.{_email_backend}.EmailBackend",
        "OPTIONS": _email_options,
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Academy <no-reply@academy.local>")

# Security. HTTPS settings are on unless DEBUG; SECURE_SSL_REDIRECT can be turned off behind a
# proxy that terminates TLS and already redirects.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxies in front of the app, trusted to append the client's address to X-Forwarded-For
# (academy/client.py): how many there are, or their networks. None by default: REMOTE_ADDR.
TRUSTED_PROXY_COUNT, TRUSTED_PROXY_NETWORKS = env.proxies("TRUSTED_PROXIES")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:", "https:"],
    "media-src": ["'self'", "blob:", "https:"],
    "connect-src": ["'self'", "https:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env.size("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
if HOMEWORK_UPLOAD_CHUNK_SIZE > DATA_UPLOAD_MAX_MEMORY_SIZE:
    raise ImproperlyConfigured("HOMEWORK_UPLOAD_CHUNK_SIZE must not exceed DATA_UPLOAD_MAX_MEMORY_SIZE.")

# Incident hub: browser reports are capped in size and rate (per user and per client address).
INCIDENT_MAX_REPORT_BYTES = env.size("INCIDENT_MAX_REPORT_BYTES", 64 * 1024)
INCIDENT_RATE_LIMIT_PER_MINUTE = env.int("INCIDENT_RATE_LIMIT_PER_MINUTE", 30, minimum=1)
INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE = env.int("INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE", 120, minimum=1)
# How many of those may come at once; past that, one every 60/N seconds (incidents/ratelimit.py).
# A failing page sends a few reports together (the failed call, the JS error, the rejection).
INCIDENT_RATE_LIMIT_BURST = env.int("INCIDENT_RATE_LIMIT_BURST", 5, minimum=1)
INCIDENT_RATE_LIMIT_PER_IP_BURST = env.int("INCIDENT_RATE_LIMIT_PER_IP_BURST", 10, minimum=1)

# Metrics (academy/metrics.py): Prometheus scrapes GET /metrics with this bearer token; without
# one only a signed-in admin may read it. With several processes (gunicorn workers, job workers)
# they all write their figures to PROMETHEUS_MULTIPROC_DIR, read by prometheus_client itself.
METRICS_TOKEN = env.str("METRICS_TOKEN", "")
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 16 characters (or unset: admins only).")
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if _metrics_dir and not (os.path.isdir(_metrics_dir) and os.access(_metrics_dir, os.W_OK)):
    raise ImproperlyConfigured(
        f"PROMETHEUS_MULTIPROC_DIR must be an existing, writable directory; got {_metrics_dir!r}."
    )

# Incident triage (incidents/triage.py): a refusal (4xx) is a signal unless it spikes: this many
# in one minute from this many people, or this many in ten minutes at FACTOR times its usual rate.
INCIDENT_SPIKE_COUNT = env.int("INCIDENT_SPIKE_COUNT", 20, minimum=2)
INCIDENT_SPIKE_PEOPLE = env.int("INCIDENT_SPIKE_PEOPLE", 5, minimum=1)
INCIDENT_SPIKE_FACTOR = env.int("INCIDENT_SPIKE_FACTOR", 10, minimum=2)
# Incident alerts (incidents/alerts.py): email to these addresses (empty: every active academy
# admin) and, when set, a JSON POST to a Slack / Microsoft Teams style incoming webhook. At most
# one message per interval: what arrives meanwhile goes out together as a digest.
INCIDENT_ALERT_EMAILS = env.list("INCIDENT_ALERT_EMAILS", [])
INCIDENT_ALERT_WEBHOOK_URL = env.str("INCIDENT_ALERT_WEBHOOK_URL", "")
if INCIDENT_ALERT_WEBHOOK_URL and not INCIDENT_ALERT_WEBHOOK_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("INCIDENT_ALERT_WEBHOOK_URL must start with https:// (or http://).")
INCIDENT_ALERT_INTERVAL_SECONDS = env.int("INCIDENT_ALERT_INTERVAL_SECONDS", 60, minimum=0)
INCIDENT_ALERT_JOB_FAILURES_PER_HOUR = env.int("INCIDENT_ALERT_JOB_FAILURES_PER_HOUR", 10, minimum=1)
INCIDENT_ALERT_WORKER_SILENT_SECONDS = env.int("INCIDENT_ALERT_WORKER_SILENT_SECONDS", 120, minimum=10)
INCIDENT_ALERT_QUEUE_WAIT_SECONDS = env.int("INCIDENT_ALERT_QUEUE_WAIT_SECONDS", 300, minimum=10)
# The address links in alerts start with, e.g. https://academy.example.com (empty: relative links).
SITE_URL = env.str("SITE_URL", "").rstrip("/")

# Logging: every line carries the request id; JSON lines when LOG_FORMAT=json.
LOG_FORMAT = env.choice("LOG_FORMAT", "text", ("text", "json"))
LOG_LEVEL = env.choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "academy.request_id.RequestIdLogFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

CSRF_FAILURE_VIEW = "academy.errors.csrf_failure"
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Jobs (see jobs/README.md): the worker's per-job resident memory limit, when a RUNNING job's
# worker counts as lost, and how long finished jobs are kept.
JOBS_MEMORY_LIMIT = env.str("JOBS_MEMORY_LIMIT", "512M")
parse_size(JOBS_MEMORY_LIMIT, name="JOBS_MEMORY_LIMIT")
JOBS_STALE_AFTER_SECONDS = env.int("JOBS_STALE_AFTER_SECONDS", 30, minimum=5)
JOBS_PRUNE_DAYS = env.int("JOBS_PRUNE_DAYS", 30, minimum=1)
# The nice value the worker and its job processes (a video's transcode, a grouping run) run at:
# background work yields the CPU to web requests. On a machine of its own it changes nothing.
JOBS_NICE = env.int("JOBS_NICE", 10, minimum=0)

# Attendance can be taken from this long before a lesson starts.
ATTENDANCE_MAX_FUTURE_MINUTES = env.int("ATTENDANCE_MAX_FUTURE_MINUTES", 60, minimum=0)
