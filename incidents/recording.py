"""Recording: occurrences stored in their incidents, grouped by fingerprint.

Occurrences arrive from three places (browser reports, backend errors, failed jobs) and all end
in `record_occurrences`: one upsert for the incidents of a batch, one bulk insert for its
occurrences, one for the entities they name. Then the triage rule may change an incident's state
(escalation.py).
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache, cached_property
from typing import Any, cast
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, connection, models, transaction
from django.db.models import Field
from django.db.models.sql import InsertQuery
from django.utils import timezone

from accounts.models import User
from incidents import anchoring, escalation
from incidents.capture import Capture
from incidents.fingerprints import fingerprint, normalise_message
from incidents.models import ActorType, Incident, Occurrence, OccurrenceEntity, Status
from incidents.scrub import clip


def actor_type_of(actor: User | None) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ActorType.SYSTEM
    return ActorType.ADMIN if actor.role == "admin" else ActorType.CUSTOMER


def side_fields(capture: Capture, now: Any) -> dict[str, Any]:
    """The occurrence's columns of one side: what the person saw, or what the backend said."""
    if capture.is_browser:
        return {
            "page_url": capture.page_url,
            "ui_message": capture.ui_message,
            "browser_payload": capture.browser_payload,
            "breadcrumbs": capture.breadcrumbs,
            "user_agent": capture.user_agent,
            "browser_reported_at": now,
        }
    shown = (
        # A page the server rendered itself: what it showed is the person's side.
        {"ui_message": capture.shown_message, "page_url": capture.url} if capture.shown_message else {}
    )
    return {
        **shown,
        "error_code": capture.error_code,
        "backend_message": capture.backend_message,
        "backend_payload": capture.backend_payload,
        "request_context": capture.request_context,
        "exception_type": capture.exception_type,
        "traceback": capture.traceback,
        "user_agent": capture.user_agent,
        "backend_recorded_at": now,
    }


def fit_columns(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """The values with every text longer than its column cut to fit, visibly (ending "…").

    Whoever builds a capture caps its texts already; this is the last guard, so that an
    over-long value is neither cut silently nor fails its whole batch (which would then wait
    in the inbox for ever, failing each run)."""
    fitted, limits = dict(values), _max_lengths(model)
    for name, value in values.items():
        limit = limits[name]
        if limit and isinstance(value, str) and len(value) > limit:
            fitted[name] = clip(value, limit)
    return fitted


@cache
def _max_lengths(model: type[models.Model]) -> dict[str, int | None]:
    """Each column's max_length (None if it has none), by field name and by attname (actor_id);
    looked up once a model, as grouping asks for some 40 values an occurrence."""
    limits: dict[str, int | None] = {}
    for field in model._meta.concrete_fields:
        limits[field.name] = limits[field.attname] = field.max_length
    return limits


@dataclass(frozen=True)
class OccurrenceToRecord:
    """One failure to record: who met it, what was captured, and when."""

    actor: User | None
    capture: Capture
    at: datetime
    report_key: UUID | None = None  # the inbox report it comes from (PendingReport.key), if any

    # What recording writes for it is built once (build_before_writing), before the write
    # transaction: building rows is a good part of grouping's CPU, and on SQLite every other
    # writer waits while grouping holds the lock.

    def anchored(self) -> "OccurrenceToRecord":
        """This one with a customer's entities cut to what they may see (anchoring.py)."""
        capture = anchoring.anchored(self.actor, self.capture)
        return self if capture is self.capture else replace(self, capture=capture)

    @cached_property
    def fingerprint(self) -> str:
        c = self.capture
        return fingerprint(
            source=c.source, route=c.route, status=c.status_code, code=c.code, message=c.message
        )

    @cached_property
    def occurrence(self) -> Occurrence:
        """The occurrence, but for its incident (known once the incidents are upserted)."""
        capture, actor_type = self.capture, actor_type_of(self.actor)
        if capture.anonymous and self.actor is None:
            actor_type = ActorType.ANONYMOUS
        values = {
            "source": capture.source,
            "actor_id": self.actor.pk if self.actor and actor_type != ActorType.SYSTEM else None,
            "actor_type": actor_type,
            "method": capture.method,
            "url": capture.url,
            "route": capture.route,
            "status_code": capture.status_code,
            "request_id": capture.request_id,
            "job_id": capture.job_id,
            "task_name": capture.task_name,
            "attempt": capture.attempt,
            "client_ip": capture.client_ip,
            "created_at": self.at,
            "inbox_report_key": self.report_key,
            **side_fields(capture, self.at),
        }
        return Occurrence(**fit_columns(Occurrence, values))

    @cached_property
    def occurrence_row(self) -> list[Any]:
        """The occurrence's columns as the database takes them (its incident left to fill in),
        in _occurrence_fields() order. Converting some 30 values an occurrence is most of the
        cost of an insert: done here, before the write transaction, it no longer holds that
        transaction (and SQLite's one writer lock) open, as bulk_create did inside it."""
        occurrence = self.occurrence
        return [
            field.get_db_prep_save(field.pre_save(occurrence, add=True), connection)
            for field in _occurrence_fields()
        ]

    @cached_property
    def incident_values(self) -> dict[str, Any]:
        """The columns of its incident, when this is the first occurrence of its group in a batch
        (_upsert_incidents adds the group's status, times and count)."""
        c = self.capture
        values = {
            "fingerprint": self.fingerprint,
            "source": c.source,
            "level": c.level,
            "title": c.title(),
            "route": c.route,
            "method": c.method,
            "status_code": c.status_code,
            "error_code": c.code,
            "message": normalise_message(c.message),
        }
        return fit_columns(Incident, values)

    def entity_links(self, occurrence_id: int, incident_id: int) -> list[OccurrenceEntity]:
        """The entities it names, each once."""
        return [
            OccurrenceEntity(
                occurrence_id=occurrence_id, incident_id=incident_id, **fit_columns(OccurrenceEntity, values)
            )
            for values in (
                {"kind": kind, "entity_id": ref} for kind, ref in dict.fromkeys(self.capture.entities)
            )
        ]


def build_before_writing(batch: list[OccurrenceToRecord]) -> None:
    """Build what recording writes for these, before its write transaction."""
    for item in batch:
        item.fingerprint, item.occurrence_row, item.incident_values  # noqa: B018 - cached


def link_entities(links: list[OccurrenceEntity]) -> None:
    """Link occurrences to entities; a link the occurrence already has is kept once."""
    OccurrenceEntity.objects.bulk_create(links, ignore_conflicts=True)


@transaction.atomic(savepoint=False)
def occurrence_record(*, actor: User | None, capture: Capture, at: datetime | None = None) -> Occurrence:
    """Store one occurrence in its incident (made on first sight); reopen a resolved incident.

    `at` is when the failure was seen, if not now."""
    item = OccurrenceToRecord(actor=actor, capture=capture, at=at or timezone.now()).anchored()
    return record_occurrences([item])[0]


def record_occurrences(batch: list[OccurrenceToRecord]) -> list[Occurrence]:
    """Store occurrences in their incidents; the stored occurrences, in batch order.

    A fixed number of statements whatever the batch size: one upsert for the incidents, one
    insert for the occurrences, one for their entities. Then the triage rule may change an
    incident's state (escalation.py): a new incident that needs a person, a signal that spiked,
    a resolved one back. Callers hold a transaction.
    """
    if not batch:
        return []
    groups: dict[str, list[OccurrenceToRecord]] = {}
    for item in batch:
        groups.setdefault(item.fingerprint, []).append(item)
    incidents = _upsert_incidents(groups)
    occurrences, rows = [], []
    incident_column = _occurrence_fields().index(Occurrence._meta.get_field("incident"))
    for item in batch:
        occurrence, row = item.occurrence, list(item.occurrence_row)
        occurrence.incident_id = row[incident_column] = incidents[item.fingerprint].id
        occurrences.append(occurrence)
        rows.append(row)
    for occurrence, pk in zip(occurrences, _insert_occurrences(rows), strict=True):
        occurrence.pk = pk
        occurrence._state.adding, occurrence._state.db = False, connection.alias
    link_entities(
        [
            link
            for item, o in zip(batch, occurrences, strict=True)
            for link in item.entity_links(o.pk, o.incident_id)
        ]
    )
    for key, upserted in incidents.items():
        group = groups[key]
        escalation.after_record(upserted, [item.capture for item in group], max(i.at for i in group))
    return occurrences


def _upsert_incidents(groups: dict[str, list[OccurrenceToRecord]]) -> dict[str, escalation.Upserted]:
    """Create the incident of each fingerprint or count its new occurrences: {key: Upserted}.

    One INSERT .. ON CONFLICT .. DO UPDATE .. RETURNING statement (SQLite >= 3.35 and
    PostgreSQL), free of the create/create race; raw SQL for its SET expressions, which
    bulk_create(update_conflicts=True) cannot write. Rows go in fingerprint order, so two
    concurrent batches lock shared incidents in the same order and cannot deadlock. A new
    incident starts open or as a signal, as the triage rule says of its occurrences; an existing
    one keeps its status here.
    """
    rows = []
    for key in sorted(groups):
        group = groups[key]
        latest = max(group, key=lambda item: item.at)
        verdicts = [item.capture.verdict for item in group]
        verdict = next((v for v in verdicts if v.needs_person), verdicts[0])
        values = {
            **group[0].incident_values,
            "status": Status.OPEN if verdict.needs_person else Status.SIGNAL,
            "triage_reason": clip(verdict.reason, 300),
            "latest_message": latest.capture.message,
            "first_seen": min(item.at for item in group),
            "last_seen": latest.at,
            "occurrence_count": len(group),
        }
        rows.append(Incident(**values))
    q = connection.ops.quote_name
    table, last_seen, count = q(Incident._meta.db_table), q("last_seen"), q("occurrence_count")
    latest_message = q("latest_message")
    insert, params = insert_statement(Incident, rows, list(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"{insert} ON CONFLICT ({q('fingerprint')}) DO UPDATE SET "
            # A report grouped late must not move last_seen back, nor its message.
            f"{latest_message} = CASE WHEN excluded.{last_seen} >= {table}.{last_seen} "
            f"THEN excluded.{latest_message} ELSE {table}.{latest_message} END, "
            f"{last_seen} = CASE WHEN excluded.{last_seen} > {table}.{last_seen} "
            f"THEN excluded.{last_seen} ELSE {table}.{last_seen} END, "
            f"{count} = {table}.{count} + excluded.{count} "
            f"RETURNING {q('fingerprint')}, {q('id')}, {q('status')}, {count}",
            params,
        )
        return {
            str(key): escalation.Upserted(
                id=int(pk), status=str(status), created=int(total) == len(groups[str(key)])
            )
            for key, pk, status, total in cursor.fetchall()
        }


def _occurrence_fields() -> list[Field[Any, Any]]:
    """The columns an occurrence is inserted with: all but its id."""
    return [f for f in Occurrence._meta.concrete_fields if not f.primary_key]


def _insert_occurrences(rows: list[list[Any]]) -> list[int]:
    """Insert rows of occurrence values already as the database takes them (occurrence_row);
    their new ids, in the order of the rows.

    The statement is the one bulk_create writes (on PostgreSQL one array a column, cast to the
    column's type without its length, so nothing is cut on the way), without its per-value
    conversion, which the rows have had before the transaction."""
    fields, q = _occurrence_fields(), connection.ops.quote_name
    columns = ", ".join(q(cast(str, field.column)) for field in fields)
    into = f"INSERT INTO {q(Occurrence._meta.db_table)} ({columns})"
    ids: list[int] = []
    for start in range(0, len(rows), 500):  # within SQLite's limit on a statement's values
        chunk = rows[start : start + 500]
        if connection.vendor == "postgresql" and len(chunk) > 1:
            arrays = ", ".join(
                f"(%s)::{cast(str, field.db_type(connection)).split('(')[0]}[]" for field in fields
            )
            sql, params = (
                f"{into} SELECT * FROM UNNEST({arrays})",  # noqa: S608 - our names; values are params
                [list(column) for column in zip(*chunk, strict=True)],
            )
        else:
            row = "(" + ", ".join(["%s"] * len(fields)) + ")"
            sql, params = f"{into} VALUES {', '.join([row] * len(chunk))}", [v for r in chunk for v in r]
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} RETURNING {q('id')}", params)
            # One statement's new ids rise in the order of its rows (SQLite and PostgreSQL),
            # whatever order RETURNING lists them in.
            ids += sorted(int(pk) for (pk,) in cursor.fetchall())
    return ids


def insert_statement(
    model: type[models.Model],
    objs: Sequence[models.Model],
    field_names: list[str],
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[str, list[Any]]:
    """The `INSERT INTO table (columns) ...` of these objects as Django's bulk_create writes it,
    with its params, for a statement that adds to it (an ON CONFLICT clause with expressions, a
    rate limit around it).

    Django converts the values and, on PostgreSQL, sends several rows as one array a column
    (UNNEST, cast to `varchar[]` without the column's length, so nothing is cut on the way: an
    over-long value fails rather than losing its end)."""
    query = InsertQuery(model)
    query.insert_values(
        [cast(Field[Any, Any], model._meta.get_field(name)) for name in field_names], list(objs)
    )
    [(sql, params)] = query.get_compiler(using=using).as_sql()
    return sql, list(params)
