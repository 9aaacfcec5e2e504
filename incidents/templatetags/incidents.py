import json
from typing import Any

from django import template

from incidents.models import Incident

register = template.Library()


@register.inclusion_tag("incidents/panel.html", takes_context=True)
def incidents_panel(context: template.Context, kind: str, entity_id: Any, limit: int = 5) -> dict[str, Any]:
    """The "Incidents" card of an entity page: its latest incidents (admins only)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_admin", False):
        return {"visible": False}
    incidents = list(Incident.objects.for_entity(kind, entity_id)[:limit])
    return {"visible": True, "incidents": incidents, "kind": kind, "entity_id": entity_id}


FOLD_CHARS = 300


def _fold(value: Any, limit: int) -> tuple[Any, bool]:
    """The value with strings longer than `limit` cut (saying how much), and whether any was."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]}… (+{len(value) - limit} characters)", True
    if isinstance(value, dict):
        folded = [(k, _fold(v, limit)) for k, v in value.items()]
        return {k: v for k, (v, _) in folded}, any(f for _, (_, f) in folded)
    if isinstance(value, list):
        items = [_fold(v, limit) for v in value]
        return [v for v, _ in items], any(f for _, f in items)
    return value, False


@register.filter
def pretty_json(value: Any, fold: int = FOLD_CHARS) -> str:
    """A stored JSON value as indented JSON (never a Python repr), long strings folded.

    Plain text: the template escapes it like any other value, so a payload cannot inject markup.
    `fold=0` shows every string whole.
    """
    shown = _fold(value, fold)[0] if fold else value
    return json.dumps(shown, indent=2, ensure_ascii=False, default=str)


@register.filter
def has_folded(value: Any, fold: int = FOLD_CHARS) -> bool:
    return _fold(value, fold)[1]
