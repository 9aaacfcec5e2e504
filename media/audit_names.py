"""How the audit log names media (registered in MediaConfig.ready)."""

from django.urls import reverse

from audit import entities
from audit.entities import Entity, int_ids
from media.models import MediaItem


def media_items(ids: list[str]) -> dict[str, Entity]:
    return {
        str(m.pk): Entity(m.original_name, reverse("media:detail", args=[m.pk]))
        for m in MediaItem.objects.filter(pk__in=int_ids(ids))
    }


def register() -> None:
    entities.register("mediaitem", "File", media_items)
