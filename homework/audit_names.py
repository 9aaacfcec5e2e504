"""How the audit log names homework (registered in HomeworkConfig.ready)."""

from django.urls import reverse

from audit import entities
from audit.entities import Entity, int_ids
from homework.models import Homework


def homework(ids: list[str]) -> dict[str, Entity]:
    rows = Homework.objects.filter(pk__in=int_ids(ids)).select_related("student")
    return {
        str(h.pk): Entity(
            f"“{h.title}” by {h.student.full_name}", reverse("homework:admin_detail", args=[h.pk])
        )
        for h in rows
    }


def register() -> None:
    entities.register("homework", "Homework", homework)
