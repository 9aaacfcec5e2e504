"""Retention: old occurrences go, incidents and their summaries stay (manage.py prune_incidents)."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

import academy.pacing
import academy.ratelimit
from audit.services import Actor, record_event
from incidents.models import Occurrence


@dataclass(frozen=True)
class PruneResult:
    cutoff: Any
    occurrences: int
    incidents: int
    applied: bool


def occurrences_prune(*, actor: Actor, days: int, apply: bool) -> PruneResult:
    """Remove occurrences older than `days` days; incidents and their summaries stay."""
    cutoff = timezone.now() - timedelta(days=days)
    old = Occurrence.objects.filter(created_at__lt=cutoff)
    count = old.count()
    incidents = old.order_by().values("incident_id").distinct().count()
    if apply and count:
        with transaction.atomic():
            old.delete()
            academy.ratelimit.forget_ended()
            academy.pacing.forget_idle()
            record_event(
                actor=actor,
                action="incident.prune",
                kind="incidents",
                entity_id="occurrences",
                after={"days": days, "occurrences": count, "incidents": incidents},
            )
    return PruneResult(cutoff=cutoff, occurrences=count, incidents=incidents, applied=apply)
