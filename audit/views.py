from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from academy.paging import CappedPaginator
from accounts.access import admin_required
from audit import entities
from audit.changes import event_rows
from audit.models import AuditEvent


@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.for_log_page()
    kind = request.GET.get("kind", "").strip()
    entity_id = request.GET.get("entity_id", "").strip()
    action = request.GET.get("action", "").strip()
    if kind:
        events = events.filter(entity_kind=kind)
    if entity_id:
        events = events.filter(entity_id=entity_id)
    if action:
        events = events.filter(action__startswith=action)
    page = CappedPaginator(events, 50).get_page(request.GET.get("page"))
    kinds = AuditEvent.objects.kinds()
    context = {
        "page": page,
        "rows": event_rows(list(page)),
        "kinds": sorted((k, entities.noun(k)) for k in kinds),
        "kind": kind,
        "entity_id": entity_id,
        "action": action,
    }
    return render(request, "audit/log.html", context)
