"""Every write of the incident hub.

Occurrences arrive from three places (browser reports, backend errors, failed jobs) and all go
through `occurrence_record`, which groups them by fingerprint. A browser report whose request id
matches a backend record of the same person completes that occurrence instead of starting a
new one: "the person saw" beside "the backend said". Status changes are admin mutations: one
transaction with the audit event.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, cast
from uuid import UUID, uuid4

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, models, transaction
from django.db.models import Case, F, Field, Value, When
from django.utils import timezone

import academy.ratelimit
from academy.errors import Conflict
from accounts.models import User
from audit.services import record_event
from incidents import anchoring, escalation, inbox, ratelimit
from incidents.grouping import fingerprint, normalise_message
from incidents.models import (
    ActorType,
    Incident,
    IncidentStatusChange,
    Level,
    Occurrence,
    OccurrenceEntity,
    PendingReport,
    Source,
    Status,
)
from incidents.scrub import clip
from incidents.triage import Verdict, triage

TITLE_CHARS = 100
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def headline(message: str) -> str:
    """The first sentence of a message, or its first ~100 characters, cut at a word."""
    text = " ".join((message or "").split())
    first = _SENTENCE_END.split(text, maxsplit=1)[0]
    if len(first) <= TITLE_CHARS:
        return first
    cut = first[: TITLE_CHARS - 1].rsplit(" ", 1)[0]
    return (cut if len(cut) > TITLE_CHARS // 2 else first[: TITLE_CHARS - 1]) + "…"


@dataclass(frozen=True)
class Capture:
    """One failure as observed, already scrubbed and capped by whoever built it."""

    source: str
    method: str = ""
    url: str = ""
    route: str = ""
    status_code: int | None = None
    error_code: str = ""
    # The person's side.
    ui_message: str = ""
    page_url: str = ""
    browser_payload: Any = None
    breadcrumbs: list[Any] = field(default_factory=list)
    user_agent: str = ""
    # The backend's side.
    backend_message: str = ""
    backend_payload: Any = None
    request_context: Any = None
    exception_type: str = ""
    traceback: str = ""
    request_id: str = ""
    job_id: str = ""
    task_name: str = ""
    attempt: int | None = None
    client_ip: str | None = None
    entities: tuple[tuple[str, str], ...] = ()
    will_retry: bool = False  # a failed job that will be tried again (a signal, triage.py)
    anonymous: bool = False  # a request of nobody logged in (not the system's own work)
    # What a server-rendered error page showed the person (academy.errors.render_error): the
    # person's side of a full-page failure, which no browser report carries.
    shown_message: str = ""

    @property
    def is_browser(self) -> bool:
        return self.source == Source.BROWSER

    @property
    def message(self) -> str:
        """What groups and titles the occurrence: the backend's words when known."""
        return self.backend_message or self.ui_message

    @property
    def code(self) -> str:
        return self.error_code or self.exception_type

    @property
    def level(self) -> str:
        return Level.REFUSAL if self.status_code and 400 <= self.status_code < 500 else Level.ERROR

    def to_json(self) -> dict[str, Any]:
        # Shallow: the JSON encoder walks the values; asdict would deep-copy them on ingest's path.
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Capture":
        return cls(**{**data, "entities": tuple((kind, ref) for kind, ref in data.get("entities", ()))})

    def title(self) -> str:
        """A title a person can scan: what failed, in the message's first sentence. The status,
        code and route have their own columns; the full message is on the incident page."""
        message = headline(self.message) or "(no message)"
        if self.source == Source.JOB:
            return clip(f"Job {self.task_name.rsplit('.', 1)[-1]} failed: {message}", TITLE_CHARS)
        return clip(message, TITLE_CHARS)

    @property
    def verdict(self) -> Verdict:
        """The triage rule's verdict on this occurrence alone (no spike: that needs its group)."""
        return triage(source=self.source, status_code=self.status_code, will_retry=self.will_retry)


def actor_type_of(actor: User | None) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ActorType.SYSTEM
    return ActorType.ADMIN if actor.role == "admin" else ActorType.CUSTOMER


def _side_fields(capture: Capture, now: Any) -> dict[str, Any]:
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


@dataclass(frozen=True)
class Seen:
    """One failure to record: who met it, what was captured, and when."""

    actor: User | None
    capture: Capture
    at: datetime
    report_key: UUID | None = None  # the inbox report it comes from (PendingReport.key), if any

    # What grouping writes for this occurrence, as the database takes it (_db_row), computed
    # once. Grouping computes it before its write transaction (_prepare): turning values into
    # database values is most of its CPU, and on SQLite every other writer waits meanwhile.

    @cached_property
    def fingerprint(self) -> str:
        c = self.capture
        return fingerprint(
            source=c.source, route=c.route, status=c.status_code, code=c.code, message=c.message
        )

    @cached_property
    def occurrence_row(self) -> dict[str, Any]:
        """The occurrence's columns this capture sets (the others take their defaults), but for
        its incident, known once the incidents are upserted."""
        capture, actor_type = self.capture, actor_type_of(self.actor)
        if capture.anonymous and self.actor is None:
            actor_type = ActorType.ANONYMOUS
        row = {
            "source": capture.source,
            "actor": self.actor.pk if self.actor and actor_type != ActorType.SYSTEM else None,
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
            **_side_fields(capture, self.at),
        }
        return _db_row(Occurrence, row)

    @cached_property
    def at_db(self) -> Any:
        """`at` as the database takes it: a group's first_seen and last_seen come from these.
        The occurrence's created_at is `at`, already converted."""
        return self.occurrence_row["created_at"]

    @cached_property
    def incident_row(self) -> dict[str, Any]:
        """The columns of its incident, when this is the first occurrence of its group in a batch
        (_upsert_incidents adds the group's times and count)."""
        c = self.capture
        row = {
            "fingerprint": self.fingerprint,
            "source": c.source,
            "level": c.level,
            "title": c.title(),
            "route": c.route,
            "method": c.method,
            "status_code": c.status_code,
            "error_code": clip(c.code, 200),
            "message": normalise_message(c.message),
            "status": Status.OPEN,
        }
        return _db_row(Incident, row)

    @cached_property
    def entity_rows(self) -> list[dict[str, Any]]:
        """The entities it names, each once, but for the occurrence and incident ids."""
        return [
            _db_row(OccurrenceEntity, {"kind": kind, "entity_id": ref})
            for kind, ref in dict.fromkeys(self.capture.entities)
        ]


def _prepare(batch: list[Seen]) -> None:
    """Compute what grouping writes for these reports, before its write transaction."""
    first_of_group: set[str] = set()
    for seen in batch:
        seen.occurrence_row, seen.entity_rows  # noqa: B018
        if seen.fingerprint not in first_of_group:
            first_of_group.add(seen.fingerprint)
            seen.incident_row  # noqa: B018 - _upsert_incidents takes each group's first


def _entity_rows(occurrence_id: int, incident_id: int, seen: Seen) -> list[dict[str, Any]]:
    # Ids are ints, which both databases take as they are.
    return [{"occurrence": occurrence_id, "incident": incident_id, **row} for row in seen.entity_rows]


def _insert_entities(rows: list[dict[str, Any]]) -> None:
    """Link occurrences to entities; a link the occurrence already has is kept once."""
    if rows:
        insert, params = _insert_sql(OccurrenceEntity, rows)
        with connection.cursor() as cursor:
            cursor.execute(f"{insert} ON CONFLICT DO NOTHING", params)


@transaction.atomic(savepoint=False)
def occurrence_record(*, actor: User | None, capture: Capture, at: datetime | None = None) -> Occurrence:
    """Store one occurrence in its incident (made on first sight); reopen a resolved incident.

    `at` is when the failure was seen, if not now."""
    seen = anchoring.anchored([Seen(actor=actor, capture=capture, at=at or timezone.now())])
    occurrence_id = _record(seen)[0]
    return Occurrence.objects.get(pk=occurrence_id)


def _record(batch: list[Seen]) -> list[int]:
    """Store occurrences in their incidents; their ids, in batch order.

    A fixed number of statements whatever the batch size: one upsert for the incidents, one
    insert for the occurrences, one for their entities. Plain multi-row INSERTs rather than
    bulk_create: the ORM's per-field preparation cost ~0.1 ms an object, most of grouping's time.
    Then the triage rule may change an incident's state (escalation.py): a new incident that
    needs a person, a signal that spiked, a resolved one back. Callers hold a transaction.
    """
    if not batch:
        return []
    groups: dict[str, list[Seen]] = {}
    for seen in batch:
        groups.setdefault(seen.fingerprint, []).append(seen)
    incidents = _upsert_incidents(groups)
    blank = _db_row(Occurrence, _blank_occurrence())
    rows = [{**blank, **seen.occurrence_row, "incident": incidents[seen.fingerprint].id} for seen in batch]
    insert, params = _insert_sql(Occurrence, rows)
    with connection.cursor() as cursor:
        cursor.execute(f"{insert} RETURNING {connection.ops.quote_name('id')}", params)
        # One statement's new ids rise in the order of its rows, on SQLite and PostgreSQL,
        # whatever order RETURNING lists them in.
        ids = sorted(int(pk) for (pk,) in cursor.fetchall())
    _insert_entities(
        [
            entity
            for pk, row, seen in zip(ids, rows, batch, strict=True)
            for entity in _entity_rows(pk, row["incident"], seen)
        ]
    )
    for key, upserted in incidents.items():
        group = groups[key]
        escalation.after_record(upserted, [seen.capture for seen in group], max(s.at for s in group))
    return ids


def _blank_occurrence() -> dict[str, Any]:
    """Every column of an occurrence at its default: a plain INSERT must name them all."""
    return {
        field.name: field.get_default() for field in Occurrence._meta.concrete_fields if not field.primary_key
    }


def _upsert_incidents(groups: dict[str, list[Seen]]) -> dict[str, "escalation.Upserted"]:
    """Create the incident of each fingerprint or count its new occurrences: {key: Upserted}.

    One INSERT .. ON CONFLICT .. RETURNING statement (SQLite >= 3.35 and PostgreSQL), free of the
    create/create race. Rows go in fingerprint order, so two concurrent batches lock shared
    incidents in the same order and cannot deadlock. A new incident starts open or as a signal,
    as the triage rule says of its occurrences; an existing one keeps its status here.
    """
    rows = []
    for key in sorted(groups):
        group = groups[key]
        latest = max(group, key=lambda seen: seen.at)
        verdicts = [seen.capture.verdict for seen in group]
        verdict = next((v for v in verdicts if v.needs_person), verdicts[0])
        rows.append(
            {
                **group[0].incident_row,
                "status": Status.OPEN if verdict.needs_person else Status.SIGNAL,
                "triage_reason": clip(verdict.reason, 300),
                "latest_message": latest.capture.message,
                "first_seen": min(group, key=lambda seen: seen.at).at_db,
                "last_seen": latest.at_db,
                "occurrence_count": len(group),
            }
        )
    q = connection.ops.quote_name
    table, last_seen, count = q(Incident._meta.db_table), q("last_seen"), q("occurrence_count")
    latest_message = q("latest_message")
    insert, params = _insert_sql(Incident, rows)
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


def _db_row(model: type[models.Model], row: dict[str, Any], using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """A row of model field values (field name: value) as the database takes them."""
    db = connections[using]  # the connection itself: each use of the proxy costs a lookup
    get_field: Callable[[str], Field] = model._meta.get_field  # type: ignore[assignment]
    return {name: get_field(name).get_db_prep_save(value, db) for name, value in row.items()}


def _insert_sql(
    model: type[models.Model], rows: list[dict[str, Any]], using: str = DEFAULT_DB_ALIAS
) -> tuple[str, list[Any]]:
    """A plain `INSERT INTO table (columns) VALUES (...), ...` of rows of database values, with params.

    For the hot statements of ingest and grouping, where the ORM's save machinery costs more
    than the statement itself. Every row has the same fields, its values already as the
    database takes them (_db_row).

    On PostgreSQL several rows go as one array a column (`SELECT * FROM unnest(...)`): psycopg
    turns a statement's placeholders into literals in Python and remembers that work only for
    statements of at most 50 parameters: a batch of 50 occurrences as VALUES cost ~4 ms to
    convert, every time. Rows keep their order, so their new ids rise with it.
    """
    fields = [cast(Field, model._meta.get_field(name)) for name in rows[0]]
    db = connections[using]  # the connection itself: each use of the proxy costs a lookup
    q = db.ops.quote_name
    columns = ", ".join(q(cast(str, f.column)) for f in fields)
    into = f"INSERT INTO {q(model._meta.db_table)} ({columns})"
    if db.vendor == "postgresql" and len(rows) > 1:
        arrays = ", ".join(f"%s::{f.db_type(db)}[]" for f in fields)
        columns_of_values = [[row[f.name] for row in rows] for f in fields]
        return f"{into} SELECT * FROM unnest({arrays})", columns_of_values  # noqa: S608 - our names
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    params = [row[f.name] for row in rows for f in fields]
    return f"{into} VALUES {values}", params


# --- Browser reports: accepted by ingest now, grouped just after. ---------------------------


def browser_report_accept(*, actor: User, capture: Capture) -> None:
    """Keep a report in the incident inbox for grouping, within its sender's rate limit (429
    past it).

    The limit's counters and the report's single INSERT commit together, and a refusal stores
    and counts nothing. On SQLite (one writer at a time; the inbox is a file of its own,
    incidents/inbox.py) that is one short write transaction; on PostgreSQL one statement
    (ratelimit.insert_within_limits). Grouping and pairing run just after, a batch at a time,
    in a job (incidents/tasks.py).
    """
    using = inbox.alias()
    row = {"actor": actor.pk, "capture": capture.to_json(), "received_at": timezone.now(), "key": uuid4()}
    insert, params = _insert_sql(PendingReport, [_db_row(PendingReport, row, using)], using)
    if connections[using].vendor == "postgresql":
        ratelimit.insert_within_limits(insert, params, user_id=actor.pk, ip=capture.client_ip)
        return
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        ratelimit.check(user_id=actor.pk, ip=capture.client_ip)
        cursor.execute(insert, params)


@dataclass(frozen=True)
class Grouped:
    reports: int
    paired: int
    left: bool  # stopped at `limit` with reports still waiting


# Reports per transaction: batches of 50 cost ~0.16 ms a report (SQLite, 2 CPUs); larger ones
# save little and hold SQLite's one writer lock longer.
GROUP_BATCH = 50


def pending_reports_group(*, limit: int | None = None, batch: int = GROUP_BATCH) -> Grouped:
    """Group waiting browser reports, oldest first, a batch per transaction.

    A batch is read from the inbox, parsed and made into rows (_prepare) before the write
    transaction that records it: on SQLite, other writers of the main database wait while
    grouping holds its lock. Reports leave the inbox once their batch is committed (on SQLite the
    inbox is another database, incidents/inbox.py), and each is recorded exactly once all the
    same: the transaction first leaves out the reports an occurrence was already recorded from
    (Occurrence.inbox_report_key: a run stopped before it removed them, or another run recorded
    them first), and one that completed a backend record is known by its request id. An error
    rolls its batch back and leaves those reports waiting for the next run.
    """
    reports = paired = 0
    while limit is None or reports < limit:
        size = batch if limit is None else min(batch, limit - reports)
        read, waiting = _pending_batch(size)
        started = time.monotonic()
        if read:
            keys = [seen.report_key for seen in waiting]
            try:
                with transaction.atomic():
                    recorded = _recorded_already(keys)
                    fresh = [seen for seen in waiting if seen.report_key not in recorded]
                    paired += browser_reports_record(fresh)
            except IntegrityError:
                recorded, fresh = _recorded_already(keys), []
                if not recorded:
                    raise
                # Another run was recording some of them at that moment (PostgreSQL): it has
                # those. Only those leave the inbox: that run may have read fewer reports than
                # this one, and the rest wait for the next run (found by bench/soak.py, where
                # accepted reports were lost this way).
                read = list(
                    PendingReport.objects.filter(pk__in=read, key__in=recorded).values_list("pk", flat=True)
                )
            _remove_from_inbox(read)
            reports += len(fresh)
            if recorded:
                # Another run grouped some of these first (or one stopped before removing them).
                # It goes on until none are left; two runs reading the same oldest reports would
                # only keep colliding.
                return Grouped(reports=reports, paired=paired, left=PendingReport.objects.exists())
        if len(read) < size:
            return Grouped(reports=reports, paired=paired, left=False)  # none were left
        if connection.vendor == "sqlite":
            # SQLite has one writer at a time, and a writer that finds it taken sleeps in
            # growing steps (1, 2, 5, 10, 15 .. ms) before it tries again. Batch after batch
            # with no pause, another writer (a job, an admin's action) would sleep through
            # several batches; pausing as long as the transaction took hands the lock over.
            time.sleep(time.monotonic() - started)
    return Grouped(reports=reports, paired=paired, left=PendingReport.objects.exists())


def _pending_batch(size: int) -> tuple[list[int], list[Seen]]:
    """The ids of the oldest waiting reports, up to `size`, and those to record, parsed and
    fingerprinted.

    Not claimed: another run may group them first. A report whose account was deleted since is
    not recorded (it goes with the account), only removed."""
    fields = ("id", "key", "actor_id", "capture", "received_at")
    rows = list(PendingReport.objects.order_by("id").values_list(*fields)[:size])
    actors = User.objects.in_bulk({actor_id for _, _, actor_id, _, _ in rows})
    waiting = [
        Seen(actor=actors[actor_id], capture=Capture.from_json(capture), at=received_at, report_key=key)
        for _, key, actor_id, capture, received_at in rows
        if actor_id in actors
    ]
    waiting = anchoring.anchored(waiting)  # before _prepare: it makes the entity rows
    _prepare(waiting)
    return [pk for pk, _, _, _, _ in rows], waiting


def _remove_from_inbox(report_ids: list[int]) -> None:
    PendingReport.objects.filter(pk__in=report_ids).delete()


def _recorded_already(report_keys: list[UUID | None]) -> set[UUID]:
    """Which of these inbox reports (PendingReport.key) an occurrence was recorded from."""
    found = Occurrence.objects.filter(inbox_report_key__in=report_keys)
    return {key for key in found.values_list("inbox_report_key", flat=True) if key is not None}


def browser_reports_record(reports: list[Seen]) -> int:
    """Record browser reports, oldest first; how many completed a backend record.

    A report whose request id matches an occurrence of the same person joins it: "the person
    saw" beside "the backend said". A second report of the same request is the same report sent
    twice: the first is kept. Every other report is a new occurrence, all in one `_record`.
    Callers hold a transaction.
    """
    wanted = {(r.capture.request_id, r.actor.pk) for r in reports if r.capture.request_id and r.actor}
    known: dict[tuple[str, int], tuple[int, int, bool]] = {}
    if wanted:
        candidates = (
            Occurrence.objects.filter(request_id__in={request_id for request_id, _ in wanted})
            .order_by("id")
            .values_list("request_id", "actor_id", "pk", "incident_id", "browser_reported_at")
        )
        for request_id, actor_id, pk, incident_id, browser_at in candidates:
            if (request_id, actor_id) in wanted:  # the latest one wins
                known[(request_id, actor_id)] = (pk, incident_id, browser_at is not None)
    new: list[Seen] = []
    handled: set[tuple[str, int]] = set()
    paired = 0
    entities: list[dict[str, Any]] = []
    for report in reports:
        if report.capture.request_id:
            key = (report.capture.request_id, report.actor.pk if report.actor else 0)
            if key in handled:
                continue  # the same report twice: keep the first
            handled.add(key)
            if key in known:
                pk, incident_id, has_browser_side = known[key]
                if not has_browser_side and _add_browser_side(pk, report):
                    paired += 1
                    entities += _entity_rows(pk, incident_id, report)
                continue
        new.append(report)
    _record(new)
    _insert_entities(entities)  # the backend may have named some of them already
    return paired


def _add_browser_side(occurrence_id: int, report: Seen) -> bool:
    fields = _side_fields(report.capture, report.at)
    user_agent = fields.pop("user_agent")
    # Conditional: of two runs that both saw the occurrence without a browser side, one writes.
    return bool(
        Occurrence.objects.filter(pk=occurrence_id, browser_reported_at__isnull=True).update(
            **fields, user_agent=Case(When(user_agent="", then=Value(user_agent)), default=F("user_agent"))
        )
    )


# --- Status changes: admin mutations, each with its audit event. ---------------------------


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


# --- Retention. ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PruneResult:
    cutoff: Any
    occurrences: int
    incidents: int
    applied: bool


def occurrences_prune(*, actor: Any, days: int, apply: bool) -> PruneResult:
    """Remove occurrences older than `days` days; incidents and their summaries stay."""
    cutoff = timezone.now() - timedelta(days=days)
    old = Occurrence.objects.filter(created_at__lt=cutoff)
    count = old.count()
    incidents = old.order_by().values("incident_id").distinct().count()
    if apply and count:
        with transaction.atomic():
            old.delete()
            academy.ratelimit.forget_ended()
            record_event(
                actor=actor,
                action="incident.prune",
                kind="incidents",
                entity_id="occurrences",
                after={"days": days, "occurrences": count, "incidents": incidents},
            )
    return PruneResult(cutoff=cutoff, occurrences=count, incidents=incidents, applied=apply)
