"""The admin start page's registry: each app says what needs a person today.

The start page lives in `ui` (the kernel) but its figures belong to the apps above it, so, as with
the student page's sections, each app registers a provider in its `AppConfig.ready` and `ui` never
imports upward. A provider returns its items already counted (one query each, pinned by a test)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class StartItem:
    title: str  # what it is, e.g. "Lessons needing attendance"
    count: int
    url: str  # the filtered list that shows exactly these
    note: str = ""  # a line under the count, e.g. "today and yesterday"
    needs_action: bool = True  # a non-zero count asks for a person (shown as a warning)
    value: str = ""  # shown instead of the count (e.g. a size)


Provider = Callable[[], list[StartItem]]
_providers: list[tuple[int, str, Provider]] = []


def register(order: int, name: str, provider: Provider) -> None:
    """Register (once per name: `ready()` may run twice in tests) a provider of start items."""
    global _providers
    _providers = [p for p in _providers if p[1] != name]
    _providers.append((order, name, provider))
    _providers.sort(key=lambda p: p[0])


def items() -> list[StartItem]:
    return [item for _, _, provider in _providers for item in provider()]
