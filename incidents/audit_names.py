"""How the audit log names incidents (registered in IncidentsConfig.ready)."""

from django.urls import reverse

from audit import entities
from audit.entities import Entity, int_ids
from incidents.models import Incident


def incidents(ids: list[str]) -> dict[str, Entity]:
    return {
        str(i.pk): Entity(i.title, reverse("incidents:detail", args=[i.pk]))
        for i in Incident.objects.filter(pk__in=int_ids(ids))
    }


def register() -> None:
    entities.register("incident", "Incident", incidents)
