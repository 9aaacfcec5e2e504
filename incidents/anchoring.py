"""Which entities an occurrence may be anchored to: for a customer, only what they may see.

A browser report names entities (the acting element's data-entity, the request URL's ids) and so
does a backend record (its route's ids). An admin may see everything; a customer's report or
request must not put another family's student, homework or lesson on the record (a parent
probing /portal/students/99/ is refused, and must not anchor student 99). Apps that own a kind
of entity say which of them a customer may see (`register`, from their AppConfig.ready: this app
does not import them); a kind nobody registered is dropped for customers. They register the
admin page of each of their kinds the same way (`register_link`), for the hub's entity links.
"""

from collections.abc import Callable, Iterable
from dataclasses import replace

from accounts.models import User
from incidents.capture import Capture
from incidents.models import ENTITY_LINKS

# kind -> (customer, entity ids) -> the ids among them the customer may see
Visible = Callable[[User, set[str]], set[str]]
CUSTOMER_VISIBLE: dict[str, Visible] = {}


def register(kind: str, visible: Visible) -> None:
    CUSTOMER_VISIBLE[kind] = visible


def register_link(kind: str, link: Callable[[str], str]) -> None:
    """`link(entity id)`: the admin page of that entity (it may raise NoReverseMatch)."""
    ENTITY_LINKS[kind] = link


def visible_entities(actor: User | None, entities: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The entities this person may anchor an occurrence to (a query per kind, for customers)."""
    entities = tuple(dict.fromkeys(entities))
    if not entities or actor is None or not getattr(actor, "is_customer", False):
        return entities
    wanted: dict[str, set[str]] = {}
    for kind, ref in entities:
        wanted.setdefault(kind, set()).add(ref)
    allowed = {
        (kind, ref)
        for kind, refs in wanted.items()
        if kind in CUSTOMER_VISIBLE
        for ref in CUSTOMER_VISIBLE[kind](actor, refs)
    }
    return tuple(entity for entity in entities if entity in allowed)


def anchored(actor: User | None, capture: Capture) -> Capture:
    """The capture with a customer's entities cut to what they may see."""
    if not capture.entities or actor is None or not getattr(actor, "is_customer", False):
        return capture
    return replace(capture, entities=visible_entities(actor, capture.entities))
