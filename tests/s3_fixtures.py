"""S3 for tests: moto's S3 server mode on 127.0.0.1, in its own process, once per session.

Import the fixtures into a conftest (`from tests.s3_fixtures import *`):

    moto_server   session: the endpoint URL of the running server
    s3_storage    switches settings to the S3 backend with a fresh bucket; yields the bucket name
    local_storage switches settings to the local backend under a fresh MEDIA_ROOT; yields the root
    any_storage   parametrised over both: yields "local" or "s3"

    point_store_at(settings, UNREACHABLE) -> the endpoint before: an outage of the S3 store, and back
"""

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.ports import free_ports

__all__ = ["any_storage", "local_storage", "moto_server", "point_store_at", "s3_storage", "start_moto_server"]

UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens


def start_moto_server(port: int | None = None) -> tuple[subprocess.Popen, str]:
    """Start `python -m moto.server` on loopback; return (process, endpoint) once it answers."""
    port = port or free_ports(1)[0]  # not bind-to-0: see bench/ports.py
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
            return process, endpoint
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("moto server did not start") from None
            time.sleep(0.1)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    process, endpoint = start_moto_server()
    try:
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_storage(moto_server: str, settings) -> Iterator[str]:
    from botocore.config import Config

    bucket = f"academy-test-{uuid.uuid4().hex[:12]}"
    settings.STORAGE_BACKEND = "s3"
    settings.S3_BUCKET = bucket
    settings.S3_ENDPOINT_URL = moto_server
    settings.S3_REGION = "us-east-1"
    settings.S3_ACCESS_KEY_ID = "testing"
    settings.S3_SECRET_ACCESS_KEY = "testing"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": moto_server,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "file_overwrite": False,
                "querystring_auth": True,
                "client_config": Config(**settings.S3_CLIENT_OPTIONS),
            },
        },
    }
    from media import storage

    storage.s3_client().create_bucket(Bucket=bucket)
    yield bucket


def point_store_at(settings, endpoint: str) -> str:
    """Point the S3 store (settings.STORAGES, whose client media uses) at `endpoint`; return the
    endpoint it had. A forked worker started afterwards sees the change too."""
    default = settings.STORAGES["default"]
    before = str(default["OPTIONS"]["endpoint_url"])
    options = {**default["OPTIONS"], "endpoint_url": endpoint}
    settings.STORAGES = {**settings.STORAGES, "default": {**default, "OPTIONS": options}}
    settings.S3_ENDPOINT_URL = endpoint
    return before


@pytest.fixture
def local_storage(settings, tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "media-root"
    root.mkdir()
    settings.STORAGE_BACKEND = "local"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": "/media/"},
        },
    }
    yield root


@pytest.fixture(params=["local", "s3"])
def any_storage(request) -> str:
    request.getfixturevalue(f"{request.param}_storage")
    return str(request.param)
