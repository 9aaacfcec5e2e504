"""An audit event's before/after as a table of field changes people can read."""

from dataclasses import dataclass, field
from typing import Any

from audit import entities
from audit.entities import Entity
from audit.models import AuditEvent
from ui import text

# Fields whose values are ids of other entities: shown by name, resolved in bulk.
REFERENCE_FIELDS = {
    "student": "student",
    "students": "student",
    "customers": "user",
    "marked_by": "user",
    "series": "lessonseries",
    "homework": "homework",
}
SIZE_FIELDS = {"size", "size_bytes", "peak_rss", "memory_limit"}
# Keys of snapshots that are bookkeeping, not something a person changed.
HIDDEN_FIELDS = {"id"}
ACTION_WORDS = {
    "create": "created",
    "created": "created",
    "update": "changed",
    "delete": "deleted",
    "deleted": "deleted",
    "restore": "restored",
    "archive": "archived",
    "unarchive": "brought back",
    "mark": "marked",
    "mark_all_present": "all marked present",
    "invite": "invited",
    "rerun": "re-run",
    "activate": "switched on",
    "deactivate": "switched off",
    "review": "reviewed",
    "reviewed": "reviewed",
    "uploaded": "uploaded",
    "optimise_requested": "queued for optimising",
}


def action_label(action: str) -> str:
    """`lesson.create` -> "Lesson created"; unknown verbs read as words."""
    subject, _, verb = action.partition(".")
    words = ACTION_WORDS.get(verb, verb.replace("_", " "))
    return f"{subject.replace('_', ' ').capitalize()} {words}".strip()


def field_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Changes:
    rows: list[Change] = field(default_factory=list)
    refs: set[tuple[str, str]] = field(default_factory=set)


def _refs_of(name: str, value: Any) -> list[tuple[str, str]]:
    kind = REFERENCE_FIELDS.get(name)
    if kind is None or value in (None, "", []):
        return []
    values = value if isinstance(value, list) else [value]
    return [(kind, str(v)) for v in values if isinstance(v, int | str)]


def _value(name: str, value: Any, names: dict[tuple[str, str], Entity]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    refs = _refs_of(name, value)
    if refs:
        return ", ".join(names[r].label if r in names else f"#{r[1]}" for r in refs)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name in SIZE_FIELDS and isinstance(value, int):
        return text.size(value)
    if isinstance(value, str) and len(value) == 8 and value[2] == ":" and value[5] == ":":
        return value[:5]  # a time of day, "15:30:00" -> "15:30"
    if isinstance(value, str):
        parsed = text.parse_when(value) if len(value) >= 10 and value[4:5] == "-" else None
        return text.when(parsed) if parsed is not None else value
    if isinstance(value, list):
        if name == "weekdays":
            days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
            return ", ".join(days[d] for d in value if isinstance(d, int) and 0 <= d < 7)
        if all(isinstance(v, dict) for v in value):
            return text.plural(len(value), "record")
        return ", ".join(_value(name, v, names) for v in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label(k)}: {_value(k, v, names)}" for k, v in value.items() if k not in HIDDEN_FIELDS
        )
    return str(value)


def references(before: Any, after: Any) -> set[tuple[str, str]]:
    """Ids of other entities the event's values mention (to name them in one pass)."""
    found: set[tuple[str, str]] = set()
    for side in (before, after):
        if isinstance(side, dict):
            for name, value in side.items():
                found.update(_refs_of(name, value))
    return found


def field_changes(before: Any, after: Any, names: dict[tuple[str, str], Entity]) -> list[Change]:
    """One row per field that differs (a creation lists what was set; a deletion what was)."""
    before = before if isinstance(before, dict) else ({} if before is None else {"value": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"value": after})
    rows = []
    for name in list(dict.fromkeys([*before, *after])):
        if name in HIDDEN_FIELDS:
            continue
        old, new = before.get(name), after.get(name)
        if name in before and name in after and old == new:
            continue
        if not before and new in (None, "", []):
            continue  # a creation lists what was set
        rows.append(
            Change(
                field_label(name),
                _value(name, old, names) if name in before else "—",
                _value(name, new, names) if name in after else "—",
            )
        )
    return rows


@dataclass
class EventRow:
    event: AuditEvent
    action: str
    entity: entities.Entity
    changes: list[Change]
    snapshot: list[Change]


def event_rows(events: list[AuditEvent]) -> list[EventRow]:
    """Events with their entity named and linked and their values as field changes: one query
    per entity kind on the page, whatever the number of events."""
    refs: set[tuple[str, str]] = set()
    for e in events:
        refs.add((e.entity_kind, e.entity_id))
        refs |= references(e.before, e.after) | references(None, e.snapshot)
    names = entities.describe(refs)
    return [
        EventRow(
            event=e,
            action=action_label(e.action),
            entity=names[(e.entity_kind, e.entity_id)],
            changes=field_changes(e.before, e.after, names),
            snapshot=field_changes(None, e.snapshot, names) if e.snapshot else [],
        )
        for e in events
    ]
