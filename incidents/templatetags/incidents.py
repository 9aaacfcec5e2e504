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
