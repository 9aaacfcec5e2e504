"""The hub's list filters, parsed once from the query string (bad values are ignored)."""

from dataclasses import dataclass, fields
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from academy.query import parse_date, parse_int
from incidents.models import (
    ENTITY_KINDS,
    ActorType,
    IncidentQuerySet,
    Level,
    Occurrence,
    OccurrenceEntity,
    Source,
    Status,
)


@dataclass(frozen=True)
class HubFilters:
    source: str = ""
    status: str = ""
    level: str = ""
    actor_type: str = ""
    entity_kind: str = ""
    entity: str = ""
    route: str = ""
    status_code: str = ""
    since: str = ""
    until: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> "HubFilters":
        values = {f.name: query.get(f.name, "").strip()[:200] for f in fields(cls)}
        return cls(**values)

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def choices(self) -> dict[str, Any]:
        return {
            "source": Source.choices,
            "status": Status.choices,
            "level": Level.choices,
            "actor_type": ActorType.choices,
            "entity_kind": sorted(ENTITY_KINDS),
        }

    def apply(self, incidents: IncidentQuerySet) -> IncidentQuerySet:
        if self.source in Source.values:
            incidents = incidents.filter(source=self.source)
        if self.status in Status.values:
            incidents = incidents.filter(status=self.status)
        if self.level in Level.values:
            incidents = incidents.filter(level=self.level)
        if self.actor_type in ActorType.values:
            incidents = incidents.filter(
                pk__in=Occurrence.objects.filter(actor_type=self.actor_type).values("incident_id")
            )
        if self.entity_kind in ENTITY_KINDS:
            incidents = incidents.filter(
                pk__in=OccurrenceEntity.objects.filter(kind=self.entity_kind).values("incident_id")
            )
        kind, _, entity_id = self.entity.partition(":")
        if kind in ENTITY_KINDS and entity_id:
            incidents = incidents.filter(
                pk__in=OccurrenceEntity.objects.filter(kind=kind, entity_id=entity_id).values("incident_id")
            )
        if self.route:
            incidents = incidents.filter(route__icontains=self.route)
        status_code = parse_int(self.status_code, minimum=100, maximum=599)
        if status_code is not None:
            incidents = incidents.filter(status_code=status_code)
        since, until = parse_date(self.since), parse_date(self.until)
        tz = timezone.get_current_timezone()
        if since:
            incidents = incidents.filter(last_seen__gte=datetime.combine(since, time.min, tz))
        if until:
            incidents = incidents.filter(
                first_seen__lt=datetime.combine(until + timedelta(days=1), time.min, tz)
            )
        if self.q:
            incidents = incidents.filter(
                Q(title__icontains=self.q) | Q(message__icontains=self.q) | Q(error_code__icontains=self.q)
            )
        return incidents
