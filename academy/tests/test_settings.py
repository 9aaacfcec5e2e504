"""Strict settings: a bad value stops start-up and names the variable and what it accepts."""

import os
import re
import shlex
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
        ({"DEBUG": "1", "MEDIA_MAX_VIDEO_FPS": "0"}, "MEDIA_MAX_VIDEO_FPS=0 is too small; the minimum is 1."),
        (
            {"DEBUG": "1", "HOMEWORK_MAX_UPLOAD_BYTES_PER_DAY": "lots"},
            "HOMEWORK_MAX_UPLOAD_BYTES_PER_DAY='lots' is not a size",
        ),
    ],
)
def test_bad_settings_stop_start_up_with_a_clear_message(env, expected):
    result = start_django(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert expected in result.stderr


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "academy.example.com"}


def test_production_refuses_to_start_without_a_chosen_email_backend():
    # Console email in production puts password-reset and invitation links in the logs.
    result = start_django(**PRODUCTION, EMAIL_BACKEND="")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "EMAIL_BACKEND must be set when DEBUG is off" in result.stderr
    assert "smtp" in result.stderr


@pytest.mark.parametrize("backend", ["smtp", "console", "locmem"])
def test_production_starts_with_an_email_backend_chosen_explicitly(backend):
    result = start_django(**PRODUCTION, EMAIL_BACKEND=backend)
    assert result.returncode == 0, result.stderr


def test_development_defaults_to_console_email():
    result = start_django(DEBUG="1", EMAIL_BACKEND="")
    assert result.returncode == 0, result.stderr


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


def readme_production_environment() -> dict[str, str]:
    """The environment the README's deploy steps export, its placeholders filled in."""
    readme = (ROOT / "README.md").read_text()
    deploy = readme.split("\n## Deploy\n", 1)[1]
    block = deploy.split("```sh\n", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    export = next(line for line in block.splitlines() if line.startswith("export "))
    env = dict(item.split("=", 1) for item in shlex.split(export)[1:])
    for name, value in env.items():
        if name == "SECRET_KEY":
            env[name] = "pr0d-" + "k3y-" * 8 + "Zq9!xW2@vB7#nM4$tR6%"
        elif value == "...":
            env[name] = "filled-in"
        else:
            env[name] = re.sub(r"<[^>]+>", "filled-in", value)
    return env


def test_the_readme_exports_what_production_needs():
    env = readme_production_environment()
    assert env["DEBUG"] == "0"
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_BACKEND", "TRUSTED_PROXIES"} <= set(env)


def test_check_deploy_is_clean_with_the_documented_production_environment():
    # Only the README's variables (and what finds Python): nothing the test run set leaks in.
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    env.update(readme_production_environment())
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
