"""Words for people: counts with real plurals, one date format in the academy's time zone, sizes
in human units. Views (flash messages) and templates (the `ui` filters) share these, so a page and
its message never disagree on how a lesson count or a date is written."""

from datetime import date, datetime

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateformat import format as date_format

# The one format of the app: "Tue 1 Dec 2026, 15:30" (dates alone: "Tue 1 Dec 2026").
DATE_FORMAT = "D j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = f"{DATE_FORMAT}, {TIME_FORMAT}"


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
    """Django's filesizeformat (`78 bytes`, `36.5 KB`, `1.5 MB`, joined by a no-break space); `—`
    for no size. Callers pass sizes, never differences: size_change says which way those go."""
    if num_bytes is None:
        return "—"
    return filesizeformat(num_bytes)


def size_change(delta: int | None) -> str:
    """A saving as people say it: `1.2 MB smaller`, `36 KB larger`, `same size`."""
    if delta is None:
        return "—"
    if delta == 0:
        return "same size"
    return f"{size(abs(delta))} {'smaller' if delta > 0 else 'larger'}"
