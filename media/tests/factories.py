from pathlib import Path

from media import storage
from media.models import MediaItem, MediaVariant


def stored_video(*, path: Path, student, uploader, content_type: str = "video/mp4") -> MediaItem:
    """A video item with only its original, stored in the current backend (no job dispatched)."""
    key = storage.new_key("test", path.name)
    storage.upload_from_path(path, key, content_type=content_type)
    size = path.stat().st_size
    item = MediaItem.objects.create(
        student=student,
        uploader=uploader,
        original_name=path.name,
        kind=MediaItem.Kind.VIDEO,
        content_type=content_type,
        size_bytes=size,
    )
    MediaVariant.objects.create(
        item=item, role="original", storage_key=key, size_bytes=size, content_type=content_type
    )
    return item
