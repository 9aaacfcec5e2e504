"""Telling someone: one email and one webhook POST (to a real HTTP server on loopback) per state
change that needs a person, sent by a job, retried when the webhook fails."""

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from incidents import alerts, watch
from incidents.models import Alert, AlertKind, Incident, Status
from incidents.status_changes import incident_resolve
from incidents.tests.helpers import record
from jobs import lifecycle
from jobs.models import WorkerProcess
from jobs.retry import policy_for

pytestmark = pytest.mark.django_db
DELIVER = "incidents.alerts.deliver_alerts"


class Webhook:
    """An incoming-webhook endpoint on loopback: records each POST, answers `status`."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.posts.append({"json": json.loads(body), "type": self.headers["Content-Type"]})
                self.send_response(hook.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T000/B000/secret"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook(settings) -> Iterator[Webhook]:
    hook = Webhook()
    settings.INCIDENT_ALERT_WEBHOOK_URL = hook.url
    yield hook
    hook.close()


@pytest.fixture(autouse=True)
def _failing_views(settings):
    settings.ROOT_URLCONF = "incidents.tests.urls"


def deliveries() -> int:
    return DBTaskResult.objects.filter(task_path=DELIVER).count()


def run_delivery() -> int:
    """Run the waiting delivery job, as the worker would (claimed, then called)."""
    job = DBTaskResult.objects.filter(task_path=DELIVER, status="READY").get()
    job.claim("test-worker")
    result = alerts.alerts_deliver()
    lifecycle.record_success(job, result.emailed + result.posted)
    return result.emailed + result.posted


def server_error(client: Client) -> None:
    assert client.get("/boom/41/").status_code == 500


def test_a_500_sends_one_email_and_one_webhook_post_and_a_second_sends_none(
    admin, webhook, django_capture_on_commit_callbacks
):
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        server_error(client)
    assert webhook.posts == [] and mail.outbox == []  # nothing is sent from the request
    assert deliveries() == 1
    run_delivery()
    incident = Incident.objects.get()
    assert incident.status == Status.OPEN
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [admin.email]
    assert mail.outbox[0].subject.startswith("New incident: Cannot compute for student")
    detail = reverse("incidents:detail", kwargs={"incident_id": incident.pk})
    assert detail in mail.outbox[0].body and "hunter2" not in mail.outbox[0].body
    assert len(webhook.posts) == 1
    post = webhook.posts[0]
    assert post["type"] == "application/json" and set(post["json"]) == {"text"}
    assert "New incident" in post["json"]["text"] and detail in post["json"]["text"]

    with django_capture_on_commit_callbacks(execute=True):
        server_error(client)
    assert Incident.objects.get().occurrence_count == 2
    assert Alert.objects.count() == 1 and deliveries() == 1  # no new alert, no new delivery
    assert len(mail.outbox) == 1 and len(webhook.posts) == 1


def test_a_regression_sends_one(admin, webhook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident = record(status_code=500).incident
    run_delivery()
    incident_resolve(actor=admin, incident=incident)
    with django_capture_on_commit_callbacks(execute=True):
        record(status_code=500)
        record(status_code=500)
    run_delivery()
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "New incident",
        "Incident is back after it was resolved",
    ]
    assert len(webhook.posts) == 2
    assert Alert.objects.filter(kind=AlertKind.REGRESSION).count() == 1


def test_a_refusal_alerts_nobody(admin_client, webhook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post("/refuse/12/", HTTP_HX_REQUEST="true").status_code == 409
    assert not Alert.objects.exists() and deliveries() == 0


def test_a_silent_worker_past_the_threshold_sends_one(admin, settings, django_capture_on_commit_callbacks):
    settings.INCIDENT_ALERT_WORKER_SILENT_SECONDS = 120
    now = timezone.now()
    common = {"host": "box", "memory_limit": 1, "effective_limit": 1, "started_at": now - timedelta(hours=1)}
    WorkerProcess.objects.create(
        worker_id="quiet", pid=7, last_heartbeat=now - timedelta(seconds=200), **common
    )
    WorkerProcess.objects.create(
        worker_id="alive", pid=8, last_heartbeat=now - timedelta(seconds=5), **common
    )
    WorkerProcess.objects.create(
        worker_id="stopped",
        pid=9,
        last_heartbeat=now - timedelta(seconds=900),
        stopped_at=now,
        stop_reason="stopped: SIGTERM",
        **common,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert watch.operations_watch().silent_workers == 1
        watch.operations_watch()  # a minute later: the same worker is not news
    run_delivery()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Worker box:7 has been silent for 3 minutes"


def test_a_job_waiting_too_long_and_many_failed_jobs_send_one_each(admin, settings):
    settings.INCIDENT_ALERT_QUEUE_WAIT_SECONDS = 60
    settings.INCIDENT_ALERT_JOB_FAILURES_PER_HOUR = 2
    from django_tasks_db.models import get_date_max

    old = timezone.now() - timedelta(minutes=10)
    common = {
        "args_kwargs": {"args": [], "kwargs": {}},
        "priority": 0,
        "queue_name": "default",
        "backend_name": "default",
    }
    waiting = DBTaskResult.objects.create(
        task_path="media.tasks.optimise", run_after=get_date_max(), **common
    )
    DBTaskResult.objects.filter(pk=waiting.pk).update(enqueued_at=old)
    for _ in range(2):
        DBTaskResult.objects.create(
            task_path="media.tasks.optimise",
            run_after=get_date_max(),
            status="FAILED",
            finished_at=timezone.now(),
            **common,
        )
    watch.operations_watch()
    watch.operations_watch()
    kinds = sorted(Alert.objects.values_list("kind", flat=True))
    assert kinds == [AlertKind.JOB_FAILURES, AlertKind.QUEUE_WAIT]
    assert Alert.objects.get(kind=AlertKind.QUEUE_WAIT).subject == "A job has waited 10 minutes for a worker"


def test_many_alerts_at_once_go_as_one_digest(admin, webhook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            record(status_code=500, error_code=f"e{n}", backend_message=f"Broken thing number {n}")
    assert deliveries() == 1  # one job for all three
    run_delivery()
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "3 alerts from Academy"
    assert mail.outbox[0].body.count("New incident:") == 3
    assert len(webhook.posts) == 1


def test_a_muted_incident_is_not_alerted(admin, webhook, django_capture_on_commit_callbacks):
    from incidents.assignment import incident_mute

    with django_capture_on_commit_callbacks(execute=True):
        incident = record(status_code=500).incident
    run_delivery()
    incident_mute(actor=admin, incident=incident, hours=24)
    incident_resolve(actor=admin, incident=incident)
    record(status_code=500)
    alert = Alert.objects.get(kind=AlertKind.REGRESSION)
    assert alert.suppressed.startswith("muted until ")
    assert alerts.alerts_deliver().emailed == 0 and len(mail.outbox) == 1


def test_a_failed_webhook_is_retried_by_the_jobs_app_and_emails_only_once(
    admin, webhook, django_capture_on_commit_callbacks
):
    assert policy_for(DELIVER).is_transient(["incidents.alerts.WebhookFailed"])
    with django_capture_on_commit_callbacks(execute=True):
        record(status_code=500)
    webhook.status = 500
    job = DBTaskResult.objects.get(task_path=DELIVER)
    job.claim("test-worker")
    with pytest.raises(alerts.WebhookFailed):
        alerts.alerts_deliver()
    retry_id = lifecycle.record_failure(
        job.pk,
        lifecycle.Failure(
            exception_class_path="incidents.alerts.WebhookFailed",
            traceback="",
            reason="the webhook refused",
            mro=("incidents.alerts.WebhookFailed", "builtins.Exception"),
        ),
    )
    assert retry_id is not None  # the jobs app retries it, with backoff
    alert = Alert.objects.get()
    assert alert.email_sent_at is not None and alert.webhook_sent_at is None
    assert "refused the alert" in alert.last_error and "secret" not in alert.last_error
    webhook.status = 200
    DBTaskResult.objects.filter(pk=retry_id).update(run_after=timezone.now())
    retry = DBTaskResult.objects.get(pk=retry_id)
    retry.claim("test-worker")
    assert alerts.alerts_deliver().posted == 1
    assert len(mail.outbox) == 1 and len(webhook.posts) == 2  # the failed POST and the retried one
    alert.refresh_from_db()
    assert alert.webhook_sent_at is not None and alert.last_error == ""


def test_the_hub_shows_who_is_told(admin_client, webhook):
    record(status_code=500)
    content = admin_client.get(reverse("incidents:list")).content.decode()
    assert "Who is told" in content and "admin@example.test" in content
    assert f"127.0.0.1:{webhook.server.server_port}" in content
    assert "secret" not in content  # the webhook's path is its key
    assert "email waiting" in content
    assert "set SITE_URL" in content


def test_links_in_alerts_start_with_the_site_url(admin, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://academy.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        incident = record(status_code=500).incident
    run_delivery()
    assert f"https://academy.example.com/admin/insights/incidents/{incident.pk}/" in mail.outbox[0].body
