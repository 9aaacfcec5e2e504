"""Strict settings: a bad value stops start-up and names the variable and what it accepts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from academy.env import Env, parse_size

ROOT = Path(__file__).resolve().parents[2]


def start_django(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'academy.settings'); django.setup()",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean; accepted values: 1/0, true/false"),
        ({"DEBUG": "0"}, "SECRET_KEY must be set."),
        (
            {"DEBUG": "1", "TIME_ZONE": "Mars/Olympus"},
            "TIME_ZONE='Mars/Olympus' is not a known IANA time zone",
        ),
        (
            {"DEBUG": "1", "DATABASE_URL": "mysql://x@y/z"},
            "DATABASE_URL must start with sqlite:// or postgres://",
        ),
        (
            {"DEBUG": "1", "STORAGE_BACKEND": "ftp"},
            "STORAGE_BACKEND='ftp' is not valid; accepted values: local, s3",
        ),
        ({"DEBUG": "1", "STORAGE_BACKEND": "s3"}, "S3_BUCKET must be set when STORAGE_BACKEND=s3."),
        ({"DEBUG": "1", "LOG_FORMAT": "xml"}, "LOG_FORMAT='xml' is not valid; accepted values: text, json"),
        (
            {"DEBUG": "1", "INCIDENT_ALERT_WEBHOOK_URL": "hooks.slack.com/services/x"},
            "INCIDENT_ALERT_WEBHOOK_URL must start with https://",
        ),
    ],
)
def test_bad_settings_stop_start_up_with_a_clear_message(env, expected):
    result = start_django(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert expected in result.stderr


def test_good_settings_start():
    result = start_django(DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_env_parsers():
    env = Env({"N": "12", "B": "yes", "L": "a, b,,c", "S": "512M", "BAD": "twelve"})
    assert env.int("N", 0) == 12
    assert env.bool("B", False) is True
    assert env.list("L", []) == ["a", "b", "c"]
    assert env.size("S", 0) == 512 * 1024 * 1024
    assert env.str("MISSING", "fallback") == "fallback"
    with pytest.raises(ImproperlyConfigured, match="BAD='twelve' is not a whole number"):
        env.int("BAD", 0)
    with pytest.raises(ImproperlyConfigured, match="N=12 is too small; the minimum is 20"):
        env.int("N", 0, minimum=20)
    assert parse_size("2G") == 2 * 1024**3
    assert parse_size("50MiB") == 50 * 1024**2
    with pytest.raises(ImproperlyConfigured, match="not a size"):
        parse_size("lots")


@pytest.mark.django_db
def test_sqlite_default_uses_wal_and_a_busy_timeout():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting; this run uses " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 10000


def test_check_deploy_is_clean_with_the_documented_production_environment():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="pr0d-" + "k3y-" * 8 + "Zq9!xW2@vB7#nM4$tR6%",
        ALLOWED_HOSTS="academy.example.com",
        DATABASE_URL="postgres://academy@127.0.0.1:5432/academy",
        EMAIL_BACKEND="smtp",
        EMAIL_HOST="smtp.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
