"""What higher apps add to academics' portal pages, without academics importing them.

The homework app knows which task instances had homework handed in for them; the Tasks page
(owned here) shows it. Homework registers its answer in its `AppConfig.ready`.
"""

from collections.abc import Callable, Iterable, Sequence

from academics.tasks.models import TaskInstance

HandedIn = Callable[[Sequence[TaskInstance]], set[int]]

_handed_in: list[HandedIn] = []


def register_handed_in(finder: HandedIn) -> None:
    if finder not in _handed_in:
        _handed_in.append(finder)


def mark_handed_in(instances: Iterable[TaskInstance]) -> list[TaskInstance]:
    """Set `handed_in` on each instance (one query per registered finder, none if none)."""
    listed = list(instances)
    found: set[int] = set()
    for finder in _handed_in:
        found |= finder(listed)
    for instance in listed:
        instance.handed_in = instance.pk in found
    return listed
