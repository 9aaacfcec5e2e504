"""Words for people: counts with real plurals, one date format in the academy's time zone, sizes
in human units. Views (flash messages) and templates (the `ui` filters) share these, so a page and
its message never disagree on how a lesson count or a date is written."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format

# The one format of the app: "Tue 1 Dec 2026, 15:30" (dates alone: "Tue 1 Dec 2026").
DATE_FORMAT = "D j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = f"{DATE_FORMAT}, {TIME_FORMAT}"
UNITS = ("B", "KB", "MB", "GB", "TB")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 lesson`, `2 lessons`, `0 lessons`; irregular words pass their plural."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count} {word}"


def when(value: datetime | date | None) -> str:
    """A moment (in the academy's time zone) or a day, in the app's one format."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, DATETIME_FORMAT)
    return date_format(value, DATE_FORMAT)


def day(value: datetime | date | None) -> str:
    """The day of a moment (in the academy's time zone), in the app's one format."""
    if value is None:
        return "—"
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, DATE_FORMAT)


def parse_when(value: str) -> datetime | date | None:
    """An ISO date or date-time string (as audit snapshots keep them), or None."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed


def size(num_bytes: int | float | None) -> str:
    """`78 B`, `36 KB`, `1.4 MB`: whole numbers below ten units read better without a decimal."""
    if num_bytes is None:
        return "—"
    value = float(abs(num_bytes))
    for unit in UNITS:
        if value < 1024 or unit == UNITS[-1]:
            break
        value /= 1024
    sign = "-" if num_bytes < 0 else ""
    if unit == "B" or value >= 10:
        return f"{sign}{value:.0f} {unit}"
    return f"{sign}{value:.1f} {unit}"


def size_change(delta: int | None) -> str:
    """A saving as people say it: `1.2 MB smaller`, `36 KB larger`, `same size`."""
    if delta is None:
        return "—"
    if delta == 0:
        return "same size"
    return f"{size(abs(delta))} {'smaller' if delta > 0 else 'larger'}"
