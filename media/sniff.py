"""What a stored file really is (sniffed from its first bytes, never from its name), and the
upload limits that follow from it.

    sniff(head: bytes) -> str                          content type, "" when unknown
    kind_for(content_type) -> MediaItem.Kind | None    None when the type is not allowed
    limit_for(kind) -> int                             bytes (MEDIA_MAX_VIDEO_BYTES / MEDIA_MAX_FILE_BYTES)
    check_allowed(content_type, size) -> kind          raises DomainError 415 / 413 with a
                                                       message that says what is allowed
    ALLOWED_TYPES / allowed_summary()                  for forms and error messages
"""

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from academy.errors import DomainError
from media.models import MediaItem

Kind = MediaItem.Kind

ALLOWED_TYPES: dict[str, Kind] = {
    "video/mp4": Kind.VIDEO,
    "video/quicktime": Kind.VIDEO,
    "video/webm": Kind.VIDEO,
    "video/x-matroska": Kind.VIDEO,
    "video/x-m4v": Kind.VIDEO,
    "video/3gpp": Kind.VIDEO,
    "video/x-msvideo": Kind.VIDEO,
    "image/jpeg": Kind.IMAGE,
    "image/png": Kind.IMAGE,
    "image/gif": Kind.IMAGE,
    "image/webp": Kind.IMAGE,
    "image/heic": Kind.IMAGE,
    "application/pdf": Kind.DOCUMENT,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": Kind.DOCUMENT,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": Kind.DOCUMENT,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": Kind.DOCUMENT,
    "application/vnd.oasis.opendocument.text": Kind.DOCUMENT,
    "text/plain": Kind.DOCUMENT,
}

_LABELS = "videos (MP4, MOV, WebM, MKV), images (JPEG, PNG, GIF, WebP, HEIC), documents (PDF, Word, PowerPoint, Excel, ODT, plain text)"


def _video_length() -> str:
    minutes, seconds = divmod(int(settings.MEDIA_MAX_VIDEO_SECONDS), 60)
    if minutes and not seconds:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{int(settings.MEDIA_MAX_VIDEO_SECONDS)} seconds"


def allowed_summary() -> str:
    return (
        f"Allowed: {_LABELS}. Videos up to {filesizeformat(settings.MEDIA_MAX_VIDEO_BYTES)} "
        f"and {_video_length()} long, "
        f"other files up to {filesizeformat(settings.MEDIA_MAX_FILE_BYTES)}."
    )


def sniff(head: bytes) -> str:
    """The content type from the first bytes; "text/plain" for clean UTF-8 text; "" if unknown."""
    guess = filetype.guess(head)
    if guess is not None:
        mime = str(guess.mime)
        if mime == "video/mp4" and head[8:12] in (b"M4V ", b"M4VH", b"M4VP"):
            return "video/x-m4v"
        return mime
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sample is still text.
            if exc.start < len(head) - 4:
                return ""
        return "text/plain"
    return ""


def kind_for(content_type: str) -> Kind | None:
    return ALLOWED_TYPES.get(content_type)


def limit_for(kind: Kind | str) -> int:
    return int(settings.MEDIA_MAX_VIDEO_BYTES if kind == Kind.VIDEO else settings.MEDIA_MAX_FILE_BYTES)


def check_allowed(content_type: str, size: int) -> Kind:
    kind = kind_for(content_type)
    if kind is None:
        raise DomainError(
            "type_not_allowed",
            f"This type of file is not accepted ({content_type or 'unknown type'}). {allowed_summary()}",
            415,
        )
    if size > limit_for(kind):
        raise DomainError(
            "too_large",
            f"This file is {filesizeformat(size)}, over the limit. {allowed_summary()}",
            413,
        )
    return kind
