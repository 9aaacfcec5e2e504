"""Who looks after an incident, and whether it may alert: admin mutations, each audited.

Beside status_changes.py (resolve, ignore, reopen): the other changes an admin makes to an
incident.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from academy.errors import DomainError
from accounts.models import User
from audit.services import record_event
from incidents.models import Incident

# The periods an admin may mute an incident's alerts for, as offered on the incident page.
MUTE_PERIODS = {1: "1 hour", 24: "1 day", 24 * 7: "1 week"}


def _locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def incident_assign(*, actor: User, incident: Incident, assignee: User | None) -> Incident:
    """Make `assignee` the admin who looks after it ("mine"), or nobody."""
    if assignee is not None and not assignee.is_admin:
        raise DomainError("assignee_not_admin", "Only an academy admin can look after an incident.")
    with transaction.atomic():
        locked = _locked(incident)
        before = {"assignee": locked.assignee_id}
        locked.assignee = assignee
        locked.save(update_fields=["assignee"])
        record_event(
            actor=actor,
            action="incident.assign" if assignee else "incident.unassign",
            entity=locked,
            before=before,
            after={"assignee": assignee.pk if assignee else None},
        )
    return locked


def incident_mute(*, actor: User, incident: Incident, hours: int) -> Incident:
    """Mute its alerts for `hours` (one of MUTE_PERIODS), or unmute with 0."""
    if hours and hours not in MUTE_PERIODS:
        raise DomainError("invalid_mute_period", "Choose to mute for 1 hour, 1 day or 1 week.")
    with transaction.atomic():
        locked = _locked(incident)
        before = {"muted_until": locked.muted_until.isoformat() if locked.muted_until else None}
        locked.muted_until = timezone.now() + timedelta(hours=hours) if hours else None
        locked.save(update_fields=["muted_until"])
        record_event(
            actor=actor,
            action="incident.mute" if hours else "incident.unmute",
            entity=locked,
            before=before,
            after={"muted_until": locked.muted_until.isoformat() if locked.muted_until else None},
        )
    return locked
