from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from academy.query import parse_date, parse_int
from accounts.access import admin_required
from audit import entities
from audit.changes import event_rows
from audit.models import AuditEvent, AuditEventQuerySet

PER_PAGE = 50


@dataclass
class LogPage:
    """One page of the log, found by keyset (where the person is), never by OFFSET: page 5,000
    of a million events cost ~1 s on SQLite; from an event's place it costs what page 1 does.

    `older` and `newer` are the event ids the Older and Newer links start from (None: nothing
    that way); `day` is the day jumped to, if any."""

    events: list[AuditEvent]
    older: int | None
    newer: int | None
    day: date | None = None

    @property
    def at_top(self) -> bool:
        return self.newer is None and self.day is None


def _anchor(event_id: int | None) -> AuditEvent | None:
    """The event a page starts from (whatever the filters: it only marks the place)."""
    return AuditEvent.objects.filter(pk=event_id).only("pk", "created_at").first() if event_id else None


def log_page(events: AuditEventQuerySet, query: dict[str, str]) -> LogPage:
    """The page asked for: older than an event (?older=<id>), newer than one (?newer=<id>),
    from the end of a day down (?day=YYYY-MM-DD), or the latest events."""
    newer_anchor = _anchor(parse_int(query.get("newer"), minimum=1))
    if newer_anchor is not None:
        rows = list(events.newer_than(newer_anchor.created_at, newer_anchor.pk)[: PER_PAGE + 1])
        more = len(rows) > PER_PAGE
        rows = rows[:PER_PAGE][::-1]
        return LogPage(rows, older=rows[-1].pk if rows else None, newer=rows[0].pk if more else None)
    older_anchor = _anchor(parse_int(query.get("older"), minimum=1))
    day = None if older_anchor else parse_date(query.get("day"))
    if older_anchor is not None:
        page = events.older_than(older_anchor.created_at, older_anchor.pk)
    elif day is not None:
        end = datetime.combine(day + timedelta(days=1), time.min, timezone.get_current_timezone())
        page = events.filter(created_at__lt=end)
    else:
        page = events
    rows = list(page[: PER_PAGE + 1])
    older = rows[PER_PAGE - 1].pk if len(rows) > PER_PAGE else None
    rows = rows[:PER_PAGE]
    if older_anchor is not None:
        newer = rows[0].pk if rows else older_anchor.pk
    elif day is not None and rows and events.newer_than(rows[0].created_at, rows[0].pk).exists():
        newer = rows[0].pk
    else:
        newer = None
    return LogPage(rows, older=older, newer=newer, day=day)


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
    page = log_page(events, request.GET.dict())
    kinds = AuditEvent.objects.kinds()
    context = {
        "page": page,
        "rows": event_rows(page.events),
        "kinds": sorted((k, entities.noun(k)) for k in kinds),
        "kind": kind,
        "entity_id": entity_id,
        "action": action,
    }
    return render(request, "audit/log.html", context)
