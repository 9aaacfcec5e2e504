"""Incidents: occurrences of failures, grouped by fingerprint, with a status history.

An Incident is a group (one fingerprint); an Occurrence is one failure as it happened, holding
both sides of it when they are known: what the person saw (browser report) and what the backend
said (captured error), joined by request id.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone


class Source(models.TextChoices):
    BROWSER = "browser", "Browser"
    BACKEND = "backend", "Backend"
    JOB = "job", "Job"


class Level(models.TextChoices):
    ERROR = "error", "Error"
    # A 4xx the app meant to give: what it failed at, not whether it needs a person (Status).
    REFUSAL = "refusal", "Refusal"


class Status(models.TextChoices):
    # Needs a person (incidents/triage.py): in the hub's default view, and alerted.
    OPEN = "open", "Open"
    # Recorded and counted, needs nobody: an expected refusal, a job that will be retried.
    SIGNAL = "signal", "Signal"
    RESOLVED = "resolved", "Resolved"
    IGNORED = "ignored", "Ignored"


class ActorType(models.TextChoices):
    ADMIN = "admin", "Admin"
    CUSTOMER = "customer", "Customer"
    SYSTEM = "system", "System"
    ANONYMOUS = "anonymous", "Anonymous"


# Entity kinds a page or a URL may declare.
ENTITY_KINDS = frozenset({"student", "lesson", "task", "homework", "media", "job", "incident", "customer"})

# kind -> entity id -> the admin page that shows it. Pages of this app and of those below it are
# named here; the apps above it (academics, homework, media) add theirs through
# anchoring.register_link from their AppConfig.ready, so this app knows none of their URL names.
ENTITY_LINKS: dict[str, Callable[[str], str]] = {
    "job": lambda ref: reverse("jobs:detail", kwargs={"job_id": ref}),
    "incident": lambda ref: reverse("incidents:detail", kwargs={"incident_id": ref}),
}  # a customer has no page of their own (the Customers list is the page)


def entity_url(kind: str, entity_id: str) -> str | None:
    """The admin page of an entity, when that page exists on this install."""
    link = ENTITY_LINKS.get(kind)
    if link is None:
        return None
    try:
        return link(entity_id)
    except NoReverseMatch:
        return None


class IncidentQuerySet(models.QuerySet["Incident"]):
    def for_hub_list(self) -> "IncidentQuerySet":
        """The list's order, with each incident's occurrences in the last 24 hours and people.

        Counted by a subquery per listed row rather than by joining occurrences and grouping:
        the join made the database count every incident's occurrences before it could take the
        page's 50 (460 ms at 100,000 incidents, bench/pages.py); a subquery in the SELECT list
        runs only for the rows the page shows."""
        since = timezone.now() - timedelta(hours=24)
        of_incident = Occurrence.objects.filter(incident=OuterRef("pk")).order_by().values("incident")
        return (
            self.select_related("assignee")
            .annotate(
                last_24h=Coalesce(
                    Subquery(of_incident.filter(created_at__gte=since).annotate(n=Count("pk")).values("n")), 0
                ),
                actor_count=Coalesce(
                    Subquery(of_incident.annotate(n=Count("actor", distinct=True)).values("n")), 0
                ),
            )
            .order_by("-last_seen", "-id")
        )

    def for_entity(self, kind: str, entity_id: str | int) -> "IncidentQuerySet":
        refs = OccurrenceEntity.objects.filter(kind=kind, entity_id=str(entity_id))
        return self.filter(pk__in=refs.values("incident_id")).order_by("-last_seen", "-id")


class Incident(models.Model):
    # Set on a page of the Incidents list for its template (incidents.views.incident_list).
    sparkline: dict[str, object] | None
    fingerprint = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    level = models.CharField(max_length=16, choices=Level.choices)
    title = models.CharField(max_length=300)
    route = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=10, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The error code of a typed refusal, or the exception type.
    error_code = models.CharField(max_length=200, blank=True)
    message = models.CharField(max_length=500, blank=True, help_text="Normalised message.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    # Summaries survive pruning of old occurrences.
    occurrence_count = models.PositiveIntegerField(default=0)
    regressed_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Why the triage rule says it needs a person (incidents/triage.py), or why it is a signal.
    triage_reason = models.CharField(max_length=300, blank=True)
    # The latest occurrence's real message (the title and `message` are of the first, normalised).
    latest_message = models.TextField(blank=True)
    # The admin who took it ("mine"), and until when its alerts are muted.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    muted_until = models.DateTimeField(null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen", "-id"]
        indexes = [
            models.Index(fields=["status", "-last_seen"]),
            models.Index(fields=["-last_seen"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_regression(self) -> bool:
        return self.regressed_at is not None and self.status == Status.OPEN

    @property
    def is_muted(self) -> bool:
        return self.muted_until is not None and self.muted_until > timezone.now()

    def snapshot(self) -> dict[str, Any]:
        return {"status": self.status, "occurrence_count": self.occurrence_count}


class IncidentStatusChange(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=16, choices=Status.choices)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    comment = models.TextField(blank=True)
    regression = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


class OccurrenceQuerySet(models.QuerySet["Occurrence"]):
    def for_detail(self) -> "OccurrenceQuerySet":
        return self.select_related("actor").prefetch_related("entities").order_by("-created_at", "-id")


class Occurrence(models.Model):
    # Set on an incident page's occurrences for its template (incidents.views.incident_detail).
    job_rerunnable: bool
    # No index of its own: (incident, -created_at) below begins with it.
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="occurrences", db_index=False
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_type = models.CharField(max_length=16, choices=ActorType.choices)
    method = models.CharField(max_length=10, blank=True)
    url = models.CharField(max_length=2048, blank=True)
    route = models.CharField(max_length=300, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The person's side (browser report).
    page_url = models.CharField(max_length=2048, blank=True)
    ui_message = models.TextField(blank=True)
    browser_payload = models.JSONField(null=True, blank=True)
    breadcrumbs = models.JSONField(default=list, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    browser_reported_at = models.DateTimeField(null=True, blank=True)
    # The backend's side (captured error or failed job).
    error_code = models.CharField(max_length=200, blank=True)
    backend_message = models.TextField(blank=True)
    backend_payload = models.JSONField(null=True, blank=True)
    request_context = models.JSONField(null=True, blank=True)
    exception_type = models.CharField(max_length=300, blank=True)
    traceback = models.TextField(blank=True)
    backend_recorded_at = models.DateTimeField(null=True, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    job_id = models.CharField(max_length=64, blank=True, db_index=True)
    task_name = models.CharField(max_length=300, blank=True)
    attempt = models.PositiveIntegerField(null=True, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The inbox report (PendingReport.key) this occurrence was recorded from: the report leaves
    # the inbox after this is committed, and a report found here is not recorded again.
    inbox_report_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["incident", "-created_at"]),
            # Pairing looks up (request id, person); with only the actor index a planner may
            # walk every occurrence of that person.
            models.Index(fields=["request_id", "actor"]),
        ]

    def __str__(self) -> str:
        return f"{self.source} occurrence of incident {self.incident_id}"

    @property
    def has_browser_side(self) -> bool:
        return self.browser_reported_at is not None

    @property
    def has_backend_side(self) -> bool:
        return self.backend_recorded_at is not None

    @property
    def job_url(self) -> str | None:
        return entity_url("job", self.job_id) if self.job_id else None


class OccurrenceEntity(models.Model):
    # No index of its own: the unique (occurrence, kind, entity_id) begins with it.
    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.CASCADE, related_name="entities", db_index=False
    )
    # Denormalised so that an entity page finds its incidents with one indexed lookup.
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entity_refs")
    kind = models.CharField(max_length=32)
    entity_id = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "kind", "entity_id"], name="occurrence_entity_once")
        ]
        indexes = [models.Index(fields=["kind", "entity_id"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.entity_id}"

    @property
    def url(self) -> str | None:
        return entity_url(self.kind, self.entity_id)


class PendingReport(models.Model):
    """A browser report accepted by ingest and not grouped yet.

    Ingest stores the scrubbed report here with one INSERT and answers 202; grouping and pairing
    (several statements) run off the request path in `grouping.pending_reports_group`, from a
    job nudged by ingest, a periodic job, and the hub's "Group them now" (its pages only read).
    """

    # On SQLite the inbox is a database of its own (incidents/inbox.py), where no constraint
    # can reach the users' table. A report of an account deleted meanwhile is dropped by grouping.
    # Nothing looks reports up by sender: no index to keep up on every report.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    capture = models.JSONField(help_text="The scrubbed, capped Capture of the report.")
    received_at = models.DateTimeField(default=timezone.now)
    # What the occurrence recorded from it keeps (Occurrence.inbox_report_key). Random, not the
    # id: ids start again in a new inbox file, and a new report must never look recorded.
    key = models.UUIDField(default=uuid.uuid4, editable=False)

    def __str__(self) -> str:
        return f"pending report {self.pk} of user {self.actor_id}"


class AlertKind(models.TextChoices):
    INCIDENT = "incident", "New incident"
    REGRESSION = "regression", "Regression"
    SPIKE = "spike", "Promoted signal"
    JOB_FAILURES = "job_failures", "Jobs failing"
    WORKER_SILENT = "worker_silent", "Worker silent"
    QUEUE_WAIT = "queue_wait", "Queue waiting"


class Alert(models.Model):
    """One thing someone must be told, once: made with the state change it tells of, delivered
    by a job (incidents/alerts.py), by email and by webhook, each side recorded when sent."""

    # What makes it once: an incident's state change, a worker, the oldest waiting job...
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Filled in by delivery; an alert muted when it arose is never sent (suppressed says why).
    email_sent_at = models.DateTimeField(null=True, blank=True)
    webhook_sent_at = models.DateTimeField(null=True, blank=True)
    suppressed = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email_sent_at", "webhook_sent_at"])]

    def __str__(self) -> str:
        return self.subject
