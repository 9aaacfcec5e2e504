"""Whose a media item is, as the app that handed the file in tells it (design: media is a generic
pipeline and knows files, variants and jobs, not homework or students).

The app that links its records to media items registers one `OwnerSource` in its
`AppConfig.ready` (homework does); the Media page reads owners through it, never by importing
upward. The paths are relations from MediaItem, so the page joins them into the query it already
runs: no query per item, none extra per page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from media.models import MediaItem


@dataclass(frozen=True)
class Owner:
    """What the Media page shows of an item's owner: "Ada Lovelace", and "Homework: Fractions"."""

    name: str
    context: str = ""  # what the file was handed in as, e.g. "Homework"
    title: str = ""  # its title, shown as a link to `url`
    url: str = ""


@dataclass(frozen=True)
class OwnerSource:
    heading: str  # the Media page's column, e.g. "Student"
    related: str  # a select_related path from MediaItem to what `describe` reads
    sort_by: str  # an order_by path from MediaItem for the page's sort by owner
    describe: Callable[[MediaItem], Owner | None]  # reads only what `related` joined


_source: OwnerSource | None = None


def register(source: OwnerSource) -> None:
    global _source
    _source = source


def heading() -> str:
    return _source.heading if _source else "Owner"


def related() -> list[str]:
    return [_source.related] if _source else []


def sort_by() -> str:
    return _source.sort_by if _source else "uploader__email"


def owner_of(item: MediaItem) -> Owner | None:
    return _source.describe(item) if _source else None
