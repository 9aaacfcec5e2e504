"""Backend capture: server errors, typed refusals, anonymous noise, failed jobs."""

import pytest
from django.test import Client
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent
from incidents.models import Incident, Level, Occurrence, Source
from incidents.tests.tasks import sync_student_calendar

pytestmark = pytest.mark.django_db

URLS = "incidents.tests.urls"


@pytest.fixture(autouse=True)
def _failing_views(settings):
    settings.ROOT_URLCONF = URLS


def test_an_unhandled_exception_is_recorded_with_its_traceback(admin):
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    response = client.get("/boom/41/", HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    occurrence = Occurrence.objects.get()
    assert occurrence.source == Source.BACKEND and occurrence.status_code == 500
    assert occurrence.exception_type == "RuntimeError"
    assert "Traceback" in occurrence.traceback and "explode" in occurrence.traceback
    assert "hunter2" not in occurrence.traceback + occurrence.backend_message
    assert occurrence.request_id == response["X-Request-ID"]
    assert occurrence.route == "/boom/<int:student_id>/"
    assert [(e.kind, e.entity_id) for e in occurrence.entities.all()] == [("student", "41")]
    assert occurrence.actor == admin
    assert occurrence.incident.level == Level.ERROR
    assert occurrence.backend_payload is not None
    assert occurrence.backend_payload["error"]["code"] == "server_error"


def test_anonymous_server_errors_are_still_recorded():
    client = Client(raise_request_exception=False)
    assert client.get("/boom/1/").status_code == 500
    assert Occurrence.objects.get().actor_type == "anonymous"  # a visitor, not the system's own work


def test_a_bare_500_response_is_recorded(admin_client):
    admin_client.get("/bare/", HTTP_ACCEPT="application/json")
    # Django's handler sees a plain 500 response: the contract middleware converts it for JSON
    # callers, and that conversion is what the hub records.
    occurrence = Occurrence.objects.get()
    assert occurrence.status_code == 500 and occurrence.exception_type == ""


def test_a_bare_500_page_keeps_its_body_and_is_recorded(admin_client):
    response = admin_client.get("/bare/")
    assert response.status_code == 500 and response.content == b"upstream broke"
    occurrence = Occurrence.objects.get()
    assert (occurrence.status_code, occurrence.error_code, occurrence.route) == (
        500,
        "server_error",
        "/bare/",
    )


def test_a_typed_refusal_is_a_low_severity_incident(admin_client, admin):
    response = admin_client.post("/refuse/12/", HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    occurrence = Occurrence.objects.get()
    assert occurrence.incident.level == Level.REFUSAL
    assert occurrence.error_code == "has_attendance"
    assert occurrence.backend_message == "Cannot delete lesson 12 with attendance records."
    assert occurrence.traceback == ""
    assert [(e.kind, e.entity_id) for e in occurrence.entities.all()] == [("lesson", "12")]


def test_same_refusal_for_two_lessons_is_one_incident(admin_client):
    admin_client.post("/refuse/12/", HTTP_HX_REQUEST="true")
    admin_client.post("/refuse/13/", HTTP_HX_REQUEST="true")
    incident = Incident.objects.get()
    assert incident.occurrence_count == 2
    assert incident.occurrences.count() == 2


def test_anonymous_404s_are_not_recorded(anon_client, parent_client):
    anon_client.get("/wp-login.php")
    anon_client.get("/admin/insights/incidents/999/")
    assert not Occurrence.objects.exists()
    parent_client.get("/admin/insights/incidents/")  # a customer refused: worth knowing
    assert Occurrence.objects.get().status_code == 403


def _fail_job(student):
    result = sync_student_calendar.enqueue(student.pk, media_id=5)
    # The worker's own run loop closes connections between tasks (which would end the test's
    # transaction): run one claimed task through the same worker code instead.
    job = DBTaskResult.objects.get(pk=result.id)
    job.claim("test-worker")
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run_task(job)
    return result


def test_a_failing_job_creates_an_incident_linked_to_the_job(student):
    result = _fail_job(student)
    occurrence = Occurrence.objects.get()
    assert occurrence.source == Source.JOB
    assert occurrence.job_id == str(result.id)
    assert occurrence.task_name.endswith("sync_student_calendar")
    assert occurrence.attempt == 1
    assert occurrence.exception_type == "builtins.ValueError"
    assert "unreachable" in occurrence.backend_message and "abc123" not in occurrence.backend_message
    refs = {(e.kind, e.entity_id) for e in occurrence.entities.all()}
    assert refs == {("job", str(result.id)), ("student", str(student.pk)), ("media", "5")}
    assert (
        occurrence.incident.title
        == f"Job sync_student_calendar failed: Calendar for student {student.pk} is unreachable (token=[scrubbed]"
    )
    assert occurrence.incident.error_code == "builtins.ValueError"


def test_the_jobs_worker_signal_carries_attempt_reason_and_request_id(student):
    """The jobs app's worker sends extra keyword arguments; they win over the bare result."""
    from django.tasks.signals import task_finished
    from django_tasks_db.backend import DatabaseBackend

    result = sync_student_calendar.enqueue(student.pk)
    job = DBTaskResult.objects.get(pk=result.id)
    job.set_failed(ValueError("Calendar unreachable"))
    task_finished.send(
        sender=DatabaseBackend,
        task_result=job.task_result,
        job_id=str(result.id),
        attempt=3,
        reason="ValueError: Calendar unreachable",
        will_retry=True,
        retry_job_id="next-job",
        request_id="req-abcdef12",
    )
    occurrence = Occurrence.objects.get()
    assert (occurrence.attempt, occurrence.request_id) == (3, "req-abcdef12")
    assert occurrence.backend_payload is not None
    assert occurrence.backend_payload["will_retry"] is True
    job_url = occurrence.job_url
    assert job_url is not None and str(result.id) in job_url


def test_the_incident_of_a_failed_job_offers_its_rerun(admin_client, student):
    result = _fail_job(student)
    detail = f"/admin/insights/incidents/{Occurrence.objects.get().incident_id}/"
    assert b"Re-run job now" in admin_client.get(detail).content
    rerun = f"/admin/insights/jobs/{result.id}/rerun/"
    response = admin_client.post(rerun, {"next": detail})
    assert (response.status_code, response["Location"]) == (303, detail)
    page = admin_client.get(detail).content
    assert b"Re-run job now" not in page and b"re-queued as job" in page
    assert DBTaskResult.objects.count() == 2
    assert AuditEvent.objects.filter(action="job.rerun", entity_id=str(result.id)).count() == 1
    # A second click (a stale page) creates nothing more and says so.
    admin_client.post(rerun, {"next": detail})
    assert DBTaskResult.objects.count() == 2
    assert b"was already re-run" in admin_client.get(detail).content


def test_a_server_rendered_error_page_is_what_the_person_saw(admin_client):
    response = admin_client.post("/refuse/12/")  # a full page, not htmx or JSON
    assert response.status_code == 409 and b"Cannot delete lesson 12" in response.content
    occurrence = Occurrence.objects.get()
    assert occurrence.ui_message == "Cannot delete lesson 12 with attendance records."
    assert occurrence.page_url == "/refuse/12/"
    assert occurrence.browser_reported_at is None  # no browser report: the server rendered it
    detail = admin_client.get(
        f"/admin/insights/incidents/{occurrence.incident_id}/?status=all"
    ).content.decode()
    assert 'data-field="shown-by-server"' in detail
    assert "No browser report for this request" not in detail


def test_a_server_error_page_records_the_page_the_person_got(admin):
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    response = client.get("/boom/41/")
    assert response.status_code == 500
    occurrence = Occurrence.objects.get()
    assert occurrence.ui_message == "Something went wrong on our side. It has been recorded."
    assert occurrence.ui_message.encode() in response.content
    assert "Cannot compute for student 41" in occurrence.backend_message


def test_json_and_htmx_errors_leave_the_persons_side_to_the_browser(admin_client):
    admin_client.post("/refuse/12/", HTTP_HX_REQUEST="true")
    assert Occurrence.objects.get().ui_message == ""
