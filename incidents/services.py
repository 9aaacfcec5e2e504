"""Every write of the incident hub.

Occurrences arrive from three places (browser reports, backend errors, failed jobs) and all go
through `occurrence_record`, which groups them by fingerprint. A browser report whose request id
matches a backend record of the same person completes that occurrence instead of starting a
new one: "the person saw" beside "the backend said". Status changes are admin mutations: one
transaction with the audit event.
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from django.db import connection, models, transaction
from django.db.models import Field
from django.utils import timezone

from academy.errors import Conflict
from accounts.models import User
from audit.services import record_event
from incidents import ratelimit
from incidents.grouping import fingerprint, normalise_message
from incidents.models import (
    ActorType,
    Incident,
    IncidentStatusChange,
    Level,
    Occurrence,
    OccurrenceEntity,
    PendingReport,
    RateBucket,
    Source,
    Status,
)
from incidents.scrub import clip


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
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Capture":
        return cls(**{**data, "entities": tuple((kind, ref) for kind, ref in data.get("entities", ()))})

    def title(self) -> str:
        message = self.message or "(no message)"
        if self.source == Source.JOB:
            head = f"Job {self.task_name.rsplit('.', 1)[-1]} failed"
            return clip(f"{head}: {self.exception_type.rsplit('.', 1)[-1]}: {message}", 300)
        status = f"{self.status_code} " if self.status_code else ""
        code = f"{self.code}: " if self.code else ""
        where = f" ({self.method} {self.route})" if self.route else ""
        return clip(f"{status}{code}{message}{where}", 300)


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
    return {
        "error_code": capture.error_code,
        "backend_message": capture.backend_message,
        "backend_payload": capture.backend_payload,
        "request_context": capture.request_context,
        "exception_type": capture.exception_type,
        "traceback": capture.traceback,
        "user_agent": capture.user_agent,
        "backend_recorded_at": now,
    }


def _add_entities(occurrence: Occurrence, entities: tuple[tuple[str, str], ...], new: bool = False) -> None:
    if not entities:
        return
    known = set() if new else {(e.kind, e.entity_id) for e in occurrence.entities.all()}
    rows = [
        OccurrenceEntity(occurrence=occurrence, incident_id=occurrence.incident_id, kind=k, entity_id=i)
        for k, i in dict.fromkeys(entities)
        if (k, i) not in known
    ]
    if rows:
        OccurrenceEntity.objects.bulk_create(rows)


@transaction.atomic(savepoint=False)
def occurrence_record(*, actor: User | None, capture: Capture, at: datetime | None = None) -> Occurrence:
    """Store one occurrence in its incident (made on first sight); reopen a resolved incident.

    `at` is when the failure was seen, if not now (a report grouped after it was received)."""
    now = at or timezone.now()
    defaults = {
        "source": capture.source,
        "level": capture.level,
        "title": capture.title(),
        "route": capture.route,
        "method": capture.method,
        "status_code": capture.status_code,
        "error_code": clip(capture.code, 200),
        "message": normalise_message(capture.message),
        "first_seen": now,
        "last_seen": now,
        "occurrence_count": 1,
    }
    key = fingerprint(
        source=capture.source,
        route=capture.route,
        status=capture.status_code,
        code=capture.code,
        message=capture.message,
    )
    incident_id, status = _upsert_incident({**defaults, "fingerprint": key, "status": Status.OPEN})
    incident = Incident(pk=incident_id, status=status)
    if status == Status.RESOLVED:
        _reopen_as_regression(incident, now)
    occurrence = Occurrence.objects.create(
        incident_id=incident_id,
        source=capture.source,
        actor=actor if actor_type_of(actor) != ActorType.SYSTEM else None,
        actor_type=actor_type_of(actor),
        method=capture.method,
        url=capture.url,
        route=capture.route,
        status_code=capture.status_code,
        request_id=capture.request_id,
        job_id=capture.job_id,
        task_name=capture.task_name,
        attempt=capture.attempt,
        client_ip=capture.client_ip,
        created_at=now,
        **_side_fields(capture, now),
    )
    _add_entities(occurrence, capture.entities, new=True)
    return occurrence


def _insert_sql(model: type[models.Model], values: dict[str, Any]) -> tuple[str, list[Any]]:
    """A plain `INSERT INTO table (columns) VALUES (...)` of model field values, with its params.

    For the two hot statements of ingest and grouping, where the ORM's save machinery costs more
    than the statement itself."""
    fields = [cast(Field, model._meta.get_field(name)) for name in values]
    q = connection.ops.quote_name
    columns = ", ".join(q(cast(str, f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    return f"INSERT INTO {q(model._meta.db_table)} ({columns}) VALUES ({marks})", params  # noqa: S608


def _upsert_incident(values: dict[str, Any]) -> tuple[int, str]:
    """Create the incident of a fingerprint or count one more occurrence in it: (id, status).

    One INSERT .. ON CONFLICT .. RETURNING statement (SQLite >= 3.35 and PostgreSQL): this is the
    hot path of grouping, and a single statement is also free of the create/create race.
    """
    q = connection.ops.quote_name
    table = q(Incident._meta.db_table)
    insert, params = _insert_sql(Incident, values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{insert} ON CONFLICT ({q('fingerprint')}) DO UPDATE SET "
            f"{q('last_seen')} = excluded.{q('last_seen')}, "
            f"{q('occurrence_count')} = {table}.{q('occurrence_count')} + 1 "
            f"RETURNING {q('id')}, {q('status')}",
            params,
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0]), str(row[1])


def _reopen_as_regression(incident: Incident, now: Any) -> None:
    # Conditional update: of two concurrent occurrences only one reopens and writes history.
    reopened = Incident.objects.filter(pk=incident.pk, status=Status.RESOLVED).update(
        status=Status.OPEN, regressed_at=now, status_changed_at=now
    )
    if not reopened:
        return
    IncidentStatusChange.objects.create(
        incident=incident,
        actor=None,
        from_status=Status.RESOLVED,
        to_status=Status.OPEN,
        comment="Reopened by a new occurrence after it was resolved.",
        regression=True,
        created_at=now,
    )
    record_event(
        actor="system",
        action="incident.regression",
        entity=incident,
        before={"status": Status.RESOLVED},
        after={"status": Status.OPEN},
    )
    incident.status = Status.OPEN
    incident.regressed_at = now


@transaction.atomic(savepoint=False)
def browser_report_record(
    *, actor: User, capture: Capture, at: datetime | None = None
) -> tuple[Occurrence, bool]:
    """Record a browser report; (occurrence, paired) where paired means it joined the backend's
    record of the same request, made by the same person."""
    if capture.request_id:
        match = (
            Occurrence.objects.filter(request_id=capture.request_id, actor=actor)
            .order_by("-id")
            .values_list("pk", "browser_reported_at")
            .first()
        )
        if match is not None:
            existing = Occurrence.objects.select_for_update().get(pk=match[0])
            if existing.has_browser_side:
                return existing, True  # the same report twice: keep the first
            fields = _side_fields(capture, at or timezone.now())
            fields.pop("user_agent")
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.user_agent = existing.user_agent or capture.user_agent
            existing.page_url = capture.page_url
            existing.save(update_fields=[*fields, "user_agent"])
            _add_entities(existing, capture.entities)
            return existing, True
    return occurrence_record(actor=actor, capture=capture, at=at), False


# --- Browser reports: accepted by ingest now, grouped just after. ---------------------------


def browser_report_accept(*, actor: User, capture: Capture) -> None:
    """Keep a report for grouping, within its sender's rate limit (429 past it).

    One short write transaction (SQLite has one writer at a time): the limit's counters and the
    report's single INSERT commit together, and a refusal over the limit rolls its count back.
    Grouping and pairing, several statements, run just after in a job (incidents/tasks.py).

    On PostgreSQL this one transaction does not wait for its WAL flush (`SET LOCAL`, nothing
    else is affected): a report is telemetry the browser sends once and never retries, so the
    wait buys the person nothing. A PostgreSQL crash may lose the reports of its last ~0.6 s
    (3 x wal_writer_delay); an app crash loses none. Grouping and audit commit synchronously.
    """
    values = {"actor": actor.pk, "capture": capture.to_json(), "received_at": timezone.now()}
    insert, params = _insert_sql(PendingReport, values)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit = off")
        ratelimit.check(user_id=actor.pk, ip=capture.client_ip)
        cursor.execute(insert, params)


@dataclass(frozen=True)
class Grouped:
    reports: int
    paired: int
    left: bool  # stopped at `limit` with reports still waiting


def pending_reports_group(*, limit: int | None = None, batch: int = 100) -> Grouped:
    """Group waiting browser reports, oldest first, in transactions of `batch` reports.

    Safe to run in several processes at once: on PostgreSQL each batch locks its rows and skips
    rows another run holds; SQLite has one writer at a time. A report is removed in the same
    transaction that records it, so it is grouped exactly once; an error rolls its batch back
    and leaves those reports waiting for the next run.
    """
    reports = paired = 0
    while limit is None or reports < limit:
        size = batch if limit is None else min(batch, limit - reports)
        with transaction.atomic():
            rows = list(
                PendingReport.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("actor")
                .order_by("id")[:size]
            )
            if not rows:
                return Grouped(reports=reports, paired=paired, left=False)
            for row in rows:
                _occurrence, joined = browser_report_record(
                    actor=row.actor, capture=Capture.from_json(row.capture), at=row.received_at
                )
                paired += joined
            PendingReport.objects.filter(pk__in=[row.pk for row in rows]).delete()
        reports += len(rows)
    return Grouped(reports=reports, paired=paired, left=PendingReport.objects.exists())


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
            RateBucket.objects.filter(minute__lt=int(timezone.now().timestamp() // 60) - 1).delete()
            record_event(
                actor=actor,
                action="incident.prune",
                kind="incidents",
                entity_id="occurrences",
                after={"days": days, "occurrences": count, "incidents": incidents},
            )
    return PruneResult(cutoff=cutoff, occurrences=count, incidents=incidents, applied=apply)
