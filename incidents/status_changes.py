"""An incident's status changes (resolve, ignore, reopen): admin mutations, each with its audit
event in one transaction."""

from django.db import transaction
from django.utils import timezone

from academy.errors import Conflict
from accounts.models import User
from audit.services import record_event
from incidents.models import Incident, IncidentStatusChange, Status
from incidents.scrub import clip

ACTIONS: dict[str, str] = {
    Status.RESOLVED: "incident.resolve",
    Status.IGNORED: "incident.ignore",
    Status.OPEN: "incident.reopen",
}


def _transition(*, actor: User, incident: Incident, to: str, comment: str) -> Incident:
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status == to:
            last = locked.history.select_related("actor").filter(to_status=to).first()
            who = ""
            if last is not None:
                by = last.actor.full_name or last.actor.email if last.actor else "the system"
                who = f" by {by} at {timezone.localtime(last.created_at):%H:%M}"
            raise Conflict(
                f"incident_already_{to}",
                f"This incident was already {to}{who}. Reload the page to see its current state.",
            )
        before = locked.snapshot()
        now = timezone.now()
        IncidentStatusChange.objects.create(
            incident=locked,
            actor=actor,
            from_status=locked.status,
            to_status=to,
            comment=clip(comment.strip(), 2000),
            created_at=now,
        )
        locked.status = to
        locked.status_changed_at = now
        locked.save(update_fields=["status", "status_changed_at"])
        record_event(
            actor=actor,
            action=ACTIONS[to],
            entity=locked,
            before=before,
            after={**locked.snapshot(), "comment": comment.strip()},
        )
    return locked


def incident_resolve(*, actor: User, incident: Incident, comment: str = "") -> Incident:
    return _transition(actor=actor, incident=incident, to=Status.RESOLVED, comment=comment)


def incident_ignore(*, actor: User, incident: Incident, comment: str = "") -> Incident:
    return _transition(actor=actor, incident=incident, to=Status.IGNORED, comment=comment)


def incident_reopen(*, actor: User, incident: Incident, comment: str = "") -> Incident:
    return _transition(actor=actor, incident=incident, to=Status.OPEN, comment=comment)
