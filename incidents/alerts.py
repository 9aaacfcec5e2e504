"""Telling someone: alerts by email and by webhook, sent from a job, never from a request.

An alert is a row (models.Alert) made in the same transaction as the state change it tells of,
with a key that makes it once: one per incident per state change, one per silent worker, one
per waiting job, one per hour of failing jobs. After commit, a delivery job is asked for
(`deliver_alerts`, one at a time by its dispatch key, and no sooner than
INCIDENT_ALERT_INTERVAL_SECONDS after the last delivery): it sends every alert waiting in one
message (a digest when there are several) by email to the academy's admins and, when
INCIDENT_ALERT_WEBHOOK_URL is set, as a JSON POST of the shape Slack's and Microsoft Teams'
incoming webhooks take ({"text": ...}). Each side is recorded when sent, so a retry after a
failed webhook does not email again. A failed webhook fails the job, which the jobs app
retries with backoff; the request that saw the failure never waits for any of it.
"""

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from incidents.models import Alert, AlertKind, Incident
from incidents.scrub import clip
from jobs.dispatch import dispatch
from jobs.retry import retry_policy

logger = logging.getLogger("incidents.alerts")

DELIVERY_KEY = "incidents:alerts"
DIGEST_LINES = 20
WEBHOOK_TIMEOUT_SECONDS = 10
# An alert older than this is not sent any more (e.g. a webhook configured much later).
STALE_AFTER = timedelta(days=1)


class WebhookFailed(Exception):
    """The webhook did not take the message: the delivery job fails and is retried."""


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- Raising alerts (inside the transaction of the change). -------------------------------


def alert_raise(
    *,
    key: str,
    kind: str,
    subject: str,
    body: str,
    link: str,
    incident_id: int | None = None,
    suppressed: str = "",
) -> Alert | None:
    """Record an alert once (by key) and ask for its delivery after commit; None if known."""
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                key=key[:200],
                kind=kind,
                incident_id=incident_id,
                subject=clip(subject, 300),
                body=body,
                link=link[:500],
                suppressed=suppressed[:200],
            )
    except IntegrityError:
        return None  # told already
    if not suppressed:
        transaction.on_commit(schedule_delivery)
    return alert


INCIDENT_SUBJECTS: dict[str, str] = {
    AlertKind.INCIDENT: "New incident",
    AlertKind.REGRESSION: "Incident is back after it was resolved",
    AlertKind.SPIKE: "A refusal spiked and needs a look",
}


def incident_alert(*, incident_id: int, kind: str, change_key: str) -> Alert | None:
    """Alert for an incident's state change (opened, promoted, regressed), unless it is muted."""
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        return None
    muted = ""
    if incident.is_muted and incident.muted_until is not None:
        muted = f"muted until {timezone.localtime(incident.muted_until):%Y-%m-%d %H:%M}"
    link = absolute(reverse("incidents:detail", kwargs={"incident_id": incident.pk}))
    where = f"{incident.method} {incident.route}".strip()
    lines = [
        incident.title,
        f"Why: {incident.triage_reason}" if incident.triage_reason else "",
        f"Where: {where}" if where else "",
        f"HTTP status: {incident.status_code}" if incident.status_code else "",
        f"Code: {incident.error_code}" if incident.error_code else "",
        f"Occurrences: {incident.occurrence_count}",
    ]
    return alert_raise(
        key=f"incident:{incident.pk}:{change_key}",
        kind=kind,
        incident_id=incident.pk,
        subject=f"{INCIDENT_SUBJECTS.get(kind, 'Incident')}: {incident.title}",
        body="\n".join(line for line in lines if line),
        link=link,
        suppressed=muted,
    )


# --- Delivery (a job). ----------------------------------------------------------------------


def schedule_delivery() -> None:
    """Ask for a delivery run, no sooner than the interval after the last one."""
    last = Alert.objects.aggregate(email=Max("email_sent_at"), webhook=Max("webhook_sent_at"))
    sent = [at for at in (last["email"], last["webhook"]) if at is not None]
    slot = max(sent) + timedelta(seconds=settings.INCIDENT_ALERT_INTERVAL_SECONDS) if sent else None
    task = deliver_alerts.using(run_after=slot) if slot and slot > timezone.now() else deliver_alerts
    dispatch(task, key=DELIVERY_KEY)


def recipients() -> list[str]:
    """INCIDENT_ALERT_EMAILS, else every active academy admin."""
    if settings.INCIDENT_ALERT_EMAILS:
        return list(settings.INCIDENT_ALERT_EMAILS)
    admins = User.objects.filter(role="admin", is_active=True).order_by("email")
    return list(admins.values_list("email", flat=True))


@dataclass(frozen=True)
class Delivered:
    emailed: int
    posted: int


def _message(alerts: list[Alert]) -> tuple[str, str]:
    """(subject, text) of one alert, or of a digest of several."""
    if len(alerts) == 1:
        alert = alerts[0]
        return alert.subject, f"{alert.body}\n\n{alert.link}".strip()
    shown = alerts[:DIGEST_LINES]
    lines = [f"- {alert.subject}\n  {alert.link}" for alert in shown]
    if len(alerts) > len(shown):
        more = len(alerts) - len(shown)
        lines.append(f"… and {more} more: {absolute(reverse('incidents:list'))}")
    return f"{len(alerts)} alerts from Academy", "\n".join(lines)


def post_webhook(url: str, payload: dict[str, Any]) -> None:
    request = urllib.request.Request(  # noqa: S310 - the URL's scheme is checked by settings
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read(1024)
    except (urllib.error.URLError, OSError) as exc:
        raise WebhookFailed(f"The webhook at {urlsplit(url).netloc} refused the alert: {exc}") from exc


def alerts_deliver(*, now: datetime | None = None) -> Delivered:
    """Send what waits: one email and one webhook POST for all of it (a digest if several)."""
    now = now or timezone.now()
    webhook = settings.INCIDENT_ALERT_WEBHOOK_URL
    waiting = Q(email_sent_at__isnull=True)
    if webhook:
        waiting |= Q(webhook_sent_at__isnull=True)
    pending = list(
        Alert.objects.filter(waiting, suppressed="", created_at__gte=now - STALE_AFTER).order_by(
            "created_at", "id"
        )
    )
    to_email = [alert for alert in pending if alert.email_sent_at is None]
    if to_email:
        subject, text = _message(to_email)
        to = recipients()
        if to:
            send_mail(subject, text, None, to)
        Alert.objects.filter(pk__in=[a.pk for a in to_email]).update(email_sent_at=now)
    to_post = [alert for alert in pending if alert.webhook_sent_at is None] if webhook else []
    if to_post:
        subject, text = _message(to_post)
        try:
            post_webhook(webhook, {"text": f"*{subject}*\n{text}"})
        except WebhookFailed as exc:
            Alert.objects.filter(pk__in=[a.pk for a in to_post]).update(last_error=str(exc)[:2000])
            raise
        Alert.objects.filter(pk__in=[a.pk for a in to_post]).update(webhook_sent_at=now, last_error="")
    return Delivered(emailed=len(to_email), posted=len(to_post))


@retry_policy(max_attempts=5, backoff_base=30.0, transient=(WebhookFailed,))
@task
def deliver_alerts() -> int:
    delivered = alerts_deliver()
    return delivered.emailed + delivered.posted


def pending_exist() -> bool:
    return Alert.objects.filter(
        Q(email_sent_at__isnull=True) | Q(webhook_sent_at__isnull=True)
        if settings.INCIDENT_ALERT_WEBHOOK_URL
        else Q(email_sent_at__isnull=True),
        suppressed="",
        created_at__gte=timezone.now() - STALE_AFTER,
    ).exists()


@dataclass(frozen=True)
class AlertSettings:
    """What the hub shows of the alert settings (the webhook by its host: its path is a secret)."""

    recipients: list[str]
    recipients_are_admins: bool
    webhook_host: str
    interval_seconds: int
    spike_count: int
    spike_people: int
    spike_factor: int
    job_failures_per_hour: int
    worker_silent_seconds: int
    queue_wait_seconds: int
    site_url: str


def alert_settings() -> AlertSettings:
    webhook = settings.INCIDENT_ALERT_WEBHOOK_URL
    return AlertSettings(
        recipients=recipients(),
        recipients_are_admins=not settings.INCIDENT_ALERT_EMAILS,
        webhook_host=urlsplit(webhook).netloc if webhook else "",
        interval_seconds=settings.INCIDENT_ALERT_INTERVAL_SECONDS,
        spike_count=settings.INCIDENT_SPIKE_COUNT,
        spike_people=settings.INCIDENT_SPIKE_PEOPLE,
        spike_factor=settings.INCIDENT_SPIKE_FACTOR,
        job_failures_per_hour=settings.INCIDENT_ALERT_JOB_FAILURES_PER_HOUR,
        worker_silent_seconds=settings.INCIDENT_ALERT_WORKER_SILENT_SECONDS,
        queue_wait_seconds=settings.INCIDENT_ALERT_QUEUE_WAIT_SECONDS,
        site_url=settings.SITE_URL,
    )
