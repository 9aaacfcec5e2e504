"""The triage rule (incidents/triage.py), and what grouping does with it: refusals are signals,
what needs a person opens, a spike of a refusal is promoted with its reason."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from incidents.models import Incident, Status
from incidents.tests.helpers import record
from incidents.triage import Recent, triage

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def test_server_errors_failed_jobs_and_browser_failures_need_a_person():
    assert triage(source="backend", status_code=500).needs_person
    assert triage(source="backend", status_code=None).needs_person  # an exception, no response
    assert triage(source="job", status_code=None).needs_person
    assert triage(source="browser", status_code=None).needs_person  # network or script error
    assert triage(source="browser", status_code=503).needs_person


def test_refusals_and_retried_jobs_are_signals():
    for code in (400, 403, 404, 409, 413, 429):
        verdict = triage(
            source="backend", status_code=code, recent=Recent(last_minute=1, people_last_minute=1)
        )
        assert not verdict.needs_person and f"({code})" in verdict.reason
    assert not triage(source="browser", status_code=409).needs_person  # the person's side of one
    retried = triage(source="job", status_code=None, will_retry=True)
    assert not retried.needs_person and "will be retried" in retried.reason


@pytest.mark.parametrize(
    ("recent", "promoted"),
    [
        (Recent(last_minute=20, people_last_minute=5, last_window=20), True),
        (Recent(last_minute=19, people_last_minute=5, last_window=19), False),
        (Recent(last_minute=50, people_last_minute=4, last_window=50, usual_per_window=10), False),
        # one person, but ten times the usual rate
        (Recent(last_minute=5, people_last_minute=1, last_window=30, usual_per_window=3), True),
        (Recent(last_minute=5, people_last_minute=1, last_window=30, usual_per_window=3.1), False),
    ],
)
def test_a_spike_of_a_refusal_needs_a_person(recent, promoted):
    verdict = triage(source="backend", status_code=403, recent=recent)
    assert verdict.needs_person is promoted
    assert verdict.reason.startswith("Spike: ") is promoted


def test_the_usual_rate_is_measured_over_at_least_a_day():
    young = Recent.of(
        last_minute=3, people=1, last_window=25, total=30, first_seen=NOW - timedelta(hours=1), now=NOW
    )
    assert young.usual_per_window == pytest.approx(5 / 144)
    old = Recent.of(
        last_minute=3, people=1, last_window=25, total=1465, first_seen=NOW - timedelta(days=10), now=NOW
    )
    assert old.usual_per_window == pytest.approx(1440 / (10 * 144 - 1))


@pytest.mark.django_db
def test_a_refusal_is_recorded_as_a_signal_and_a_server_error_opens():
    refusal = record().incident
    assert (refusal.status, refusal.level) == (Status.SIGNAL, "refusal")
    assert "expected refusal (409)" in refusal.triage_reason
    error = record(status_code=500, error_code="server_error", backend_message="boom").incident
    assert error.status == Status.OPEN and "server error" in error.triage_reason


@pytest.mark.django_db
def test_a_resolved_refusal_that_comes_back_stays_resolved(admin):
    from incidents.status_changes import incident_resolve

    incident = record().incident
    incident_resolve(actor=admin, incident=incident)
    record()
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED and incident.occurrence_count == 2


@pytest.mark.django_db
def test_a_retried_job_is_a_signal_until_its_last_attempt_fails():
    job = {
        "source": "job",
        "status_code": None,
        "error_code": "",
        "exception_type": "TimeoutError",
        "task_name": "media.tasks.optimise",
        "route": "media.tasks.optimise",
        "backend_message": "slow",
    }
    incident = record(**job, will_retry=True).incident
    assert incident.status == Status.SIGNAL
    record(**job, will_retry=False)
    incident.refresh_from_db()
    assert incident.status == Status.OPEN
    change = incident.history.get()
    assert (change.from_status, change.to_status) == (Status.SIGNAL, Status.OPEN)
    assert "after its last attempt" in change.comment
    alert = incident.alerts.get()  # told once, when it needed a person, as a new incident
    assert alert.kind == "incident" and alert.subject.startswith("New incident: Job optimise failed")


# --- The proof the issue asks for, through real requests. ---------------------------------


@pytest.mark.django_db
def test_a_mistyped_url_a_refused_form_and_a_403_open_nothing(admin_client, parent_client, student):
    assert admin_client.get("/admin/academic/studnets/").status_code == 404
    form = {
        "subject": "Maths",
        "tutor": "Ms T",
        "starts_at": "2026-12-03T10:00",
        "ends_at": "2026-12-03T09:00",
        "students": [student.pk],
    }
    refused = admin_client.post(reverse("academics:lesson_create"), form)
    assert refused.status_code == 400
    assert parent_client.get(reverse("jobs:insights")).status_code == 403
    assert admin_client.get("/admin/academic/lessons/999999/").status_code == 404
    codes = set(Incident.objects.values_list("error_code", flat=True))
    assert codes == {"not_found", "lesson_invalid_times", "forbidden", "lesson_not_found"}
    assert not Incident.objects.filter(status=Status.OPEN).exists()
    listed = admin_client.get(reverse("incidents:list")).content.decode()
    assert "Nothing needs a person right now." in listed
    signals = admin_client.get(reverse("incidents:list") + "?status=signal").content.decode()
    assert signals.count("data-incident=") == Incident.objects.count() >= 2


@pytest.mark.django_db
def test_fifty_403s_from_many_people_in_a_minute_open_one_incident_that_says_why(admin_client):
    parents = [
        User.objects.create_user(email=f"p{n}@example.com", password="x", role="customer", full_name=f"P {n}")
        for n in range(10)
    ]
    clients = []
    for parent in parents:
        client = Client()
        client.force_login(parent)
        clients.append(client)
    with time_machine.travel(NOW, tick=True):
        for n in range(50):
            assert clients[n % 10].get(reverse("jobs:insights")).status_code == 403
    incident = Incident.objects.get()
    assert incident.status == Status.OPEN and incident.occurrence_count == 50
    assert incident.triage_reason.startswith("Spike: 20 refusals from 10 people within one minute")
    change = incident.history.get()
    assert change.from_status == Status.SIGNAL and change.comment.startswith("Promoted from a signal: Spike")
    assert AuditEvent.objects.filter(action="incident.promote", entity_id=str(incident.pk)).count() == 1
    assert incident.alerts.count() == 1  # told once, not once per refusal
    page = admin_client.get(reverse("incidents:list")).content.decode()
    assert f'data-incident="{incident.pk}"' in page
