"""Helpers for tests that run real worker processes against the test database."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR) if hasattr(settings, "BASE_DIR") else Path(__file__).resolve().parents[2]


def subprocess_database_url() -> str:
    """DATABASE_URL of the test database, for worker subprocesses."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def worker_env() -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": subprocess_database_url(), "DEBUG": "1", "PYTHONUNBUFFERED": "1"}
    return env


@pytest.fixture
def start_worker(worker_env, tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start `manage.py worker` processes (logs in tmp_path); all are killed at the end of the test."""
    started: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.1", *args],
            cwd=ROOT,
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        proc.stdout = log  # type: ignore[assignment]
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def wait_for(check: Callable[[], object], timeout: float = 60.0, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
