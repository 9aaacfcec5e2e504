"""GET /metrics: who may read it, and that its figures are the database's and the processes' own."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from incidents.models import Incident, PendingReport
from incidents.tests.helpers import report
from jobs.dispatch import dispatch
from jobs.models import WorkerProcess
from jobs.tests import sample_tasks as t
from media.models import MediaItem, MediaVariant

pytestmark = pytest.mark.django_db
TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client, **headers) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}", **headers})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_metrics_need_the_token_or_an_admin(anon_client, parent_client, admin_client):
    anonymous = anon_client.get("/metrics", headers={"Accept": "application/json"})
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    assert (
        anon_client.get("/metrics", headers={"Authorization": "Bearer wrong-token-0123456789"}).status_code
        == 401
    )
    assert parent_client.get("/metrics").status_code == 403
    assert admin_client.get("/metrics").status_code == 200
    assert anon_client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_without_a_token_configured_no_bearer_gets_in(anon_client, settings):
    settings.METRICS_TOKEN = ""
    assert anon_client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401


def test_requests_are_counted_by_route_pattern_never_by_raw_path(anon_client, parent_client, student):
    def count(metrics, route, status, method="GET"):
        key = ("academy_http_requests_total", (("method", method), ("route", route), ("status", status)))
        return metrics.get(key, 0)

    before = scrape(anon_client)
    anon_client.get("/healthz")
    parent_client.get(f"/portal/students/{student.pk}/")
    anon_client.get("/no/such/page/123")
    after = scrape(anon_client)
    assert count(after, "healthz", "200") == count(before, "healthz", "200") + 1
    route = "portal/students/<int:student_id>/"
    assert count(after, route, "200") == count(before, route, "200") + 1
    assert count(after, "unmatched", "404") == count(before, "unmatched", "404") + 1
    assert not any("123" in dict(labels).get("route", "") for _, labels in after)
    durations = ("academy_http_request_duration_seconds_count", (("method", "GET"), ("route", "healthz")))
    assert after[durations] >= 1


def test_database_figures_agree_with_the_database(anon_client, parent, student):
    for _ in range(3):
        dispatch(t.noop)
    dispatch(t.noop).job_id  # noqa: B018 - a fourth, made older below
    oldest = DBTaskResult.objects.order_by("enqueued_at").first()
    assert oldest is not None
    DBTaskResult.objects.filter(pk=oldest.pk).update(enqueued_at=timezone.now() - timedelta(minutes=10))
    now = timezone.now()
    WorkerProcess.objects.create(
        worker_id="w-1", host="web-1", pid=1, memory_limit=512 * 2**20, effective_limit=256 * 2**20,
        started_at=now, last_heartbeat=now,
    )  # fmt: skip
    WorkerProcess.objects.create(
        worker_id="w-2",
        host="web-1",
        pid=2,
        memory_limit=512 * 2**20,
        effective_limit=512 * 2**20,
        started_at=now,
        last_heartbeat=now - timedelta(hours=1),
    )  # fmt: skip  (silent for an hour: not alive)
    item = MediaItem.objects.create(kind="video", uploader=parent, original_name="v.mp4", size_bytes=1000)
    MediaVariant.objects.create(item=item, role="original", storage_key="a", size_bytes=1000)
    MediaVariant.objects.create(item=item, role="web", storage_key="b", size_bytes=400)

    metrics = scrape(anon_client)

    assert metrics[("academy_jobs_ready", (("queue", "default"),))] == 4
    assert 590 <= metrics[("academy_jobs_oldest_ready_age_seconds", (("queue", "default"),))] <= 700
    assert metrics[("academy_workers_alive", (("host", "web-1"),))] == 1
    assert metrics[("academy_worker_memory_limit_bytes", (("host", "web-1"),))] == 256 * 2**20
    assert metrics[("academy_storage_bytes", (("kind", "original"),))] == 1000
    assert metrics[("academy_storage_bytes", (("kind", "web"),))] == 400
    assert metrics[("academy_storage_bytes", (("kind", "poster"),))] == 0
    assert metrics[("academy_incidents_open", ())] == Incident.objects.filter(status="open").count()
    assert metrics[("academy_incident_reports_waiting", ())] == PendingReport.objects.count()


def test_incident_reports_are_counted_accepted_and_refused_by_reason(parent_client, anon_client):
    def value(metrics, name, labels=()):
        return metrics.get((name, labels), 0)

    before = scrape(anon_client)
    accepted_report = parent_client.post("/api/incidents", report(), content_type="application/json")
    assert accepted_report.status_code == 202
    bad = parent_client.post("/api/incidents", "{not json", content_type="application/json")
    assert bad.status_code == 400
    after = scrape(anon_client)
    accepted = "academy_incident_reports_accepted_total"
    assert value(after, accepted) == value(before, accepted) + 1
    refused = ("academy_incident_reports_refused_total", (("reason", bad.json()["error"]["code"]),))
    assert after[refused] == before.get(refused, 0) + 1
