"""Homework test helpers: both storage backends (tests/s3_fixtures.py) and an upload driver that
speaks the browser's protocol (chunks to the app, or PUTs straight to the bucket)."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.s3_fixtures import any_storage, local_storage, moto_server, s3_storage  # noqa: F401

PDF = b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 40 + b"%%EOF\n"


def create(client, student, name: str, size: int, type_: str = "", **extra: Any):
    body = {"student": student.pk, "title": "Week 1", "name": name, "size": size, "type": type_, **extra}
    return client.post("/portal/homework/uploads/", body, content_type="application/json")


def send_bytes(client, plan: dict[str, Any], data: bytes) -> Any:
    """Send the file as a browser would; return the last response (a Django or requests one)."""
    last: Any = None
    if plan["backend"] == "local":
        step = plan["chunk_size"]
        for offset in range(0, len(data), step):
            last = client.post(
                f"/portal/homework/uploads/{plan['id']}/chunk/?offset={offset}",
                data[offset : offset + step],
                content_type="application/octet-stream",
                HTTP_ACCEPT="application/json",
            )
            if last.status_code != 200:
                return last
    elif plan["put_url"]:
        last = requests.put(
            plan["put_url"], data=data, headers={"Content-Type": plan["content_type"]}, timeout=30
        )
        last.raise_for_status()
    else:
        size = plan["part_size"]
        for i, url in enumerate(plan["part_urls"]):
            last = requests.put(url, data=data[i * size : (i + 1) * size], timeout=30)
            last.raise_for_status()
    return last


def complete(client, plan: dict[str, Any]):
    return client.post(f"/portal/homework/uploads/{plan['id']}/complete/", HTTP_ACCEPT="application/json")


@pytest.fixture
def upload() -> Callable[..., Any]:
    """upload(client, student, name, data, type) -> the complete response (whole protocol)."""

    def _upload(client, student, name: str, data: bytes, type_: str = "", **extra: Any):
        created = create(client, student, name, len(data), type_, **extra)
        assert created.status_code == 201, created.content
        plan = created.json()
        sent = send_bytes(client, plan, data)
        if plan["backend"] == "local" and sent.status_code != 200:
            return sent
        return complete(client, plan)

    return _upload


@pytest.fixture(scope="session")
def small_video(tmp_path_factory) -> Path:
    from media.tests.factories import make_video

    return make_video(tmp_path_factory.mktemp("hw") / "proof.mp4", "160x120", audio=False)
