"""Query-string values, parsed strictly.

Filters on list pages come from URLs that people edit and old links they follow. A value that is
not what a filter takes is ignored (the page shows everything that filter would have narrowed),
never passed on to arithmetic or to the database, where it used to be a 500: `'²'.isdigit()` is
true but `int('²')` fails, the last date plus one day overflows, and PostgreSQL refuses text with
a NUL character. The middleware refuses NUL in any query string with a typed 400, so that no
text filter can reach the database with one.
"""

import re
from collections.abc import Callable
from datetime import date

from django.http import HttpRequest, HttpResponse

from academy.errors import render_error

# Dates a page may filter on and still step a week or a fortnight either way without leaving
# what `date` (and a time zone's offset) can hold.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only, and no ISO week forms
_INT = re.compile(r"[0-9]{1,18}")


def parse_date(value: str | None) -> date | None:
    """A YYYY-MM-DD date from EARLIEST to LATEST, or None for anything else."""
    value = (value or "").strip()
    if not _DATE.fullmatch(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:  # 2026-02-30
        return None
    return day if EARLIEST <= day <= LATEST else None


def parse_int(value: str | None, *, minimum: int = 0, maximum: int = 2**31 - 1) -> int | None:
    """A whole number written in ASCII digits, within [minimum, maximum], or None."""
    value = (value or "").strip()
    if not _INT.fullmatch(value):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def _has_nul(request: HttpRequest) -> bool:
    raw = request.META.get("QUERY_STRING", "")
    if "%00" not in raw and "\x00" not in raw:
        return False  # the usual case, without parsing the query string
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())


class QueryStringMiddleware:
    """A NUL character in a query string is a 400 with the error contract, for every page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return render_error(
                request, 400, "invalid_query", "The address holds a character no filter accepts (NUL)."
            )
        return self.get_response(request)
