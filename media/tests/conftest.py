"""Media test fixtures: both storage backends (tests/s3_fixtures.py) and generated videos."""

from collections.abc import Callable
from pathlib import Path

import pytest

from media.tests.factories import make_video as _video
from tests.s3_fixtures import any_storage, local_storage, moto_server, s3_storage  # noqa: F401


@pytest.fixture(scope="session")
def videos(tmp_path_factory) -> dict[str, Path]:
    """Small generated inputs, made once per session."""
    root = tmp_path_factory.mktemp("videos")
    made = {
        "landscape": _video(root / "landscape.mp4", "1920x1080", audio=True),
        "portrait": _video(root / "portrait.mp4", "1080x1920", audio=False),
        "tiny": _video(root / "tiny.mp4", "160x120", audio=False),
        "tiny_audio": _video(root / "tiny_audio.mp4", "160x120", audio=True),
    }
    # Moov atom at the end, then cut in half: the index never arrives.
    full = _video(root / "long.mp4", "320x240", audio=True, seconds="3", faststart=False)
    truncated = root / "truncated.mp4"
    with open(full, "rb") as src, open(truncated, "wb") as dst:
        dst.write(src.read(full.stat().st_size // 2))
    made["truncated"] = truncated
    text = root / "notes.mp4"
    text.write_text("This is a text file renamed to look like a video.\n" * 20)
    made["text"] = text
    noise = root / "noise.mp4"
    noise.write_bytes(bytes(range(256)) * 4 + b"\x8f\x13" * 5000)
    made["noise"] = noise
    return made


@pytest.fixture
def put() -> Callable[[Path, str], str]:
    """put(path, content_type) -> key: store a local file in the current backend."""
    from media import storage

    def _put(path: Path, content_type: str = "video/mp4") -> str:
        key = storage.new_key("test", path.name)
        storage.upload_from_path(path, key, content_type=content_type)
        return key

    return _put


@pytest.fixture
def work_dir(settings, tmp_path: Path) -> Path:
    """The pipeline's temp root, so a test can check that nothing is left behind."""
    path = tmp_path / "work"
    path.mkdir()
    settings.MEDIA_WORK_DIR = str(path)
    return path
