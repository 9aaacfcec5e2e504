"""Names and pages of the entities an audit event is about, for people.

Audit is a kernel app: it cannot know lessons or students. Each app registers, in its
`AppConfig.ready`, how to name its own kinds, in bulk (one query per kind on a page), and where
each one's page is. The audit log then says "Chemistry, Tue 1 Dec 2026, 15:30" and links it,
where it would otherwise say "lesson:19"."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Entity:
    label: str
    url: str | None = None
    exists: bool = True


# kind -> (a person's word for the kind, a resolver {id: Entity} for a list of ids)
Resolver = Callable[[list[str]], dict[str, Entity]]
_kinds: dict[str, tuple[str, Resolver | None]] = {}


def register(kind: str, noun: str, resolver: Resolver | None = None) -> None:
    _kinds[kind] = (noun, resolver)


def noun(kind: str) -> str:
    """`lessonseries` -> "Lesson series"; an unregistered kind, made readable."""
    if kind in _kinds:
        return _kinds[kind][0]
    return kind.replace("_", " ").capitalize()


def describe(refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Entity]:
    """Every (kind, id) named, one resolver call per kind. What no longer exists (or whose kind
    no app names) still reads as words: "Lesson #19 (deleted)"."""
    by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, entity_id in refs:
        by_kind[kind].add(str(entity_id))
    named: dict[tuple[str, str], Entity] = {}
    for kind, ids in by_kind.items():
        resolver = _kinds.get(kind, ("", None))[1]
        found = resolver(sorted(ids)) if resolver else {}
        for entity_id in ids:
            named[(kind, entity_id)] = found.get(entity_id) or Entity(
                f"{noun(kind)} #{entity_id}{' (deleted)' if resolver else ''}", exists=False
            )
    return named


def int_ids(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]
