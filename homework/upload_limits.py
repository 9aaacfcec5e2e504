"""What an upload declaration may be, checked before any byte is stored: the kind of file (by
declared type or extension; sniffing the content decides later), its size for that kind, the
customer's open uploads and bytes per day, and the part size of an S3 multipart upload."""

from __future__ import annotations

import math
import mimetypes
from datetime import timedelta

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from academy.errors import DomainError
from accounts.models import User
from media import sniff

MAX_PARTS = 10_000  # the S3 limit on parts in one multipart upload


def declared_kind(name: str, content_type: str) -> sniff.Kind:
    """The kind the declaration claims: by declared type, else by extension. Sniffing decides later."""
    kind = sniff.kind_for(content_type) or sniff.kind_for(mimetypes.guess_type(name)[0] or "")
    if kind is None:
        raise DomainError(
            "type_not_allowed",
            f"{name}: this type of file is not accepted. {sniff.allowed_summary()}",
            415,
        )
    return kind


def check_size(name: str, size: int, kind: sniff.Kind) -> None:
    if size > sniff.limit_for(kind):
        raise DomainError(
            "too_large",
            f"{name} is {filesizeformat(size)}, over the limit. {sniff.allowed_summary()}",
            413,
        )


def part_size_for(size: int) -> int:
    """Equal parts of the configured size, grown (in whole MB) only to stay under 10,000 parts."""
    base = int(settings.HOMEWORK_UPLOAD_PART_SIZE)
    needed = math.ceil(size / MAX_PARTS)
    if needed > base:
        mb = 1024 * 1024
        base = math.ceil(needed / mb) * mb
    return base


DAY = timedelta(hours=24)


def check_upload_caps(actor: User, name: str, size: int) -> None:
    """Bound what one customer can have in flight and send per day: a clear 429 when over."""
    from homework.queries import upload_usage

    now = timezone.now()
    usage = upload_usage(actor, since=now - DAY)
    max_open = settings.HOMEWORK_MAX_OPEN_UPLOADS
    if usage.open_sessions >= max_open:
        raise DomainError(
            "too_many_uploads",
            f"You already have {usage.open_sessions} uploads in progress (the most at once is {max_open}). "
            "Let them finish or cancel one, then add this file; unfinished uploads are cleared after a day.",
            429,
        )
    max_bytes = int(settings.HOMEWORK_MAX_UPLOAD_BYTES_PER_DAY)
    if usage.bytes_since + size > max_bytes:
        oldest = usage.oldest_counted_at or now
        wait = max(60, int((oldest + DAY - now).total_seconds()))
        raise DomainError(
            "daily_upload_limit",
            f"{name} ({filesizeformat(size)}) would take today's uploads past the daily limit of "
            f"{filesizeformat(max_bytes)} ({filesizeformat(usage.bytes_since)} already sent in the last "
            f"24 hours). Please try again in {_human_wait(wait)}.",
            429,
            headers={"Retry-After": str(wait)},
        )


def _human_wait(seconds: int) -> str:
    hours, minutes = divmod(max(1, round(seconds / 60)), 60)
    if hours:
        return f"{hours} hour{'s' if hours != 1 else ''}" + (f" {minutes} min" if minutes else "")
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
