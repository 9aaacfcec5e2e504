"""What grouping does with the triage rule's verdict: open, promote, reopen, and tell someone.

Runs inside recording's transaction (recording.record_occurrences), once per incident of a batch, after the
batch's occurrences are stored (so a spike counts them). The usual case costs nothing: an open
or ignored incident, or a signal that does not spike (one aggregate over its last ten minutes).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, Q

from audit.services import record_event
from incidents import alerts
from incidents.capture import Capture
from incidents.models import AlertKind, Incident, IncidentStatusChange, Occurrence, Status
from incidents.scrub import clip
from incidents.triage import MINUTE, WINDOW, Recent, Verdict, is_refusal, triage


@dataclass(frozen=True)
class Upserted:
    id: int
    status: str  # after the upsert (an existing incident keeps its own)
    created: bool  # made by this batch


def after_record(incident: Upserted, captures: list[Capture], now: datetime) -> None:
    """Apply the triage rule to an incident that just received `captures`."""
    if incident.created:
        if incident.status == Status.OPEN:
            alerts.incident_alert(incident_id=incident.id, kind=AlertKind.INCIDENT, change_key="opened")
        return
    if incident.status not in (Status.SIGNAL, Status.RESOLVED):
        return  # open already, or ignored by an admin: nothing to change
    verdict = next((c.verdict for c in captures if c.verdict.needs_person), None)
    if verdict is None and any(is_refusal(c.status_code) for c in captures):
        c = captures[-1]
        verdict = triage(source=c.source, status_code=c.status_code, recent=recent_of(incident.id, now))
        if not verdict.needs_person:
            verdict = None
    if verdict is not None:
        _open(incident, verdict, now)


def recent_of(incident_id: int, now: datetime) -> Recent:
    """The counts the spike rule looks at, in one query over the incident's last ten minutes."""
    minute = Q(created_at__gte=now - MINUTE)
    counts = Occurrence.objects.filter(incident_id=incident_id, created_at__gte=now - WINDOW).aggregate(
        window=Count("id"),
        minute=Count("id", filter=minute),
        people=Count("actor", distinct=True, filter=minute),
        total=Max("incident__occurrence_count"),
        first_seen=Min("incident__first_seen"),
    )
    return Recent.of(
        last_minute=counts["minute"],
        people=counts["people"],
        last_window=counts["window"],
        total=counts["total"] or 0,
        first_seen=counts["first_seen"] or now,
        now=now,
    )


def _open(incident: Upserted, verdict: Verdict, now: datetime) -> None:
    """Open a signal (promotion) or a resolved incident (regression), with history, audit and
    an alert. Conditional: of two concurrent batches only one opens it and tells."""
    regression = incident.status == Status.RESOLVED
    changes = {"status": Status.OPEN, "status_changed_at": now, "triage_reason": clip(verdict.reason, 300)}
    if regression:
        changes["regressed_at"] = now
    if not Incident.objects.filter(pk=incident.id, status=incident.status).update(**changes):
        return
    comment = (
        f"Reopened by a new occurrence after it was resolved. {verdict.reason}"
        if regression
        else f"Promoted from a signal: {verdict.reason}"
    )
    change = IncidentStatusChange.objects.create(
        incident_id=incident.id,
        actor=None,
        from_status=incident.status,
        to_status=Status.OPEN,
        comment=comment,
        regression=regression,
        created_at=now,
    )
    record_event(
        actor="system",
        action="incident.regression" if regression else "incident.promote",
        kind="incident",
        entity_id=str(incident.id),
        before={"status": incident.status},
        after={"status": Status.OPEN, "reason": verdict.reason},
    )
    if regression:
        kind = AlertKind.REGRESSION
    elif verdict.reason.startswith("Spike"):
        kind = AlertKind.SPIKE
    else:
        kind = AlertKind.INCIDENT  # e.g. a job that kept failing until its last attempt
    alerts.incident_alert(incident_id=incident.id, kind=kind, change_key=f"change:{change.pk}")
