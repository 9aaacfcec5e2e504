import json
from typing import TYPE_CHECKING, Any, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

from academy.request_id import get_request_id
from audit.models import AuditEvent

if TYPE_CHECKING:
    from accounts.models import User

# Who made a change: a logged-in user, or the label of a system actor ("scheduler",
# "cli:alice"); None is recorded as "system".
type Actor = User | str | None


def entity_kind(entity: models.Model) -> str:
    return entity._meta.model_name or type(entity).__name__.lower()


def _json_safe(value: Any) -> Any:
    """Dates, decimals and uuids become strings, so any snapshot round-trips through JSON."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def record_event(
    *,
    actor: Actor,
    action: str,
    entity: models.Model | None = None,
    kind: str | None = None,
    entity_id: str | int | None = None,
    outcome: str = "ok",
    before: Any = None,
    after: Any = None,
    snapshot: Any = None,
) -> AuditEvent:
    """Record one audit event. Must run inside the transaction of the change it describes,
    so that a change that fails leaves no event and an event never describes a change that
    did not happen."""
    if not connection.in_atomic_block:
        raise RuntimeError("record_event must be called inside the transaction of the change.")
    if entity is not None:
        kind = kind or entity_kind(entity)
        entity_id = entity.pk if entity_id is None else entity_id
    if kind is None or entity_id is None:
        raise ValueError("record_event needs an entity, or a kind and an entity_id.")
    # Only a saved, logged-in user passes both checks; a label or None records no user.
    actor_user = cast(
        "User | None",
        actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None,
    )
    if actor_user is not None:
        label = f"{actor_user.role}:{actor_user.pk} {actor_user.email}"
    else:
        label = str(actor) if actor else "system"
    return AuditEvent.objects.create(
        actor=actor_user,
        actor_label=label[:200],
        action=action,
        entity_kind=kind,
        entity_id=str(entity_id),
        outcome=outcome,
        before=_json_safe(before),
        after=_json_safe(after),
        snapshot=_json_safe(snapshot),
        request_id=get_request_id(),
    )
