"""How the audit log names people (registered in AccountsConfig.ready)."""

from accounts.models import User
from audit import entities
from audit.entities import Entity, int_ids


def users(ids: list[str]) -> dict[str, Entity]:
    return {str(u.pk): Entity(str(u)) for u in User.objects.filter(pk__in=int_ids(ids))}


def register() -> None:
    entities.register("user", "Person", users)
