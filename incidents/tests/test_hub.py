"""Admin > Insights > Incidents: access, list, filters, detail, status changes, entity panel."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from incidents.models import Incident, PendingReport, Status
from incidents.status_changes import incident_resolve
from incidents.tests.helpers import post_report, record, report

pytestmark = pytest.mark.django_db

LIST = "/admin/insights/incidents/"


@contextmanager
def assert_queries(count: int) -> Iterator[None]:
    """Exactly `count` queries, on every database (on SQLite the incident inbox is a second one)."""
    with ExitStack() as stack:
        captured = [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections]
        yield
    assert sum(len(queries) for queries in captured) == count, [q["sql"] for c in captured for q in c]


def test_only_admins_open_the_hub(admin_client, parent_client, other_parent_client, anon_client):
    incident = record().incident
    detail = reverse("incidents:detail", kwargs={"incident_id": incident.pk})
    transition = reverse("incidents:transition", kwargs={"incident_id": incident.pk})
    assert reverse("incidents:list") == LIST
    assert admin_client.get(LIST).status_code == 200
    assert admin_client.get(detail).status_code == 200
    for client in (parent_client, other_parent_client):
        assert client.get(LIST).status_code == 403
        assert client.get(detail).status_code == 403
        assert client.post(transition, {"action": "resolve"}).status_code == 403
    assert anon_client.get(LIST).status_code == 302
    assert anon_client.get(detail).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.SIGNAL  # as recorded: a refusal


def test_the_list_runs_a_fixed_number_of_queries(admin_client):
    for n in range(3):
        record(error_code=f"code_{n}", status_code=500)
    # session, user, waiting reports, count, page, sparklines, alert recipients, latest alerts
    with assert_queries(8):
        response = admin_client.get(LIST)
    for n in range(3, 12):
        record(error_code=f"code_{n}", status_code=500)
    with assert_queries(8):
        response = admin_client.get(LIST)
    assert response.content.count(b"data-incident=") == 12
    assert b"<polyline" in response.content


def test_the_detail_page_runs_a_fixed_number_of_queries(admin_client, admin):
    incident = record(actor=admin).incident
    for n in range(5):
        record(actor=admin, entities=(("student", str(n)),))
    detail = reverse("incidents:detail", kwargs={"incident_id": incident.pk})
    # session, user, waiting reports, incident, count, occurrences, entities of them, actors,
    # entity list, history
    with assert_queries(10):
        assert admin_client.get(detail).status_code == 200


def test_filters(admin_client, parent_client):
    record()  # backend refusal, student:7
    post_report(parent_client, {"kind": "js", "error": {"name": "TypeError", "message": "boom"}})
    js = Incident.objects.get(source="browser")

    def listed(query: str) -> set[int]:
        content = admin_client.get(LIST + "?status=all&" + query.lstrip("?")).content.decode()
        return {i.pk for i in Incident.objects.all() if f'data-incident="{i.pk}"' in content}

    backend = Incident.objects.get(source="backend")
    assert listed("") == {backend.pk, js.pk}
    assert listed("?source=browser") == {js.pk}
    assert listed("?actor_type=customer") == {js.pk}
    assert listed("?entity_kind=student") == {backend.pk}
    assert listed("?entity=student:7") == {backend.pk}
    assert listed("?entity=student:8") == set()
    assert listed("?status_code=409") == {backend.pk}
    assert listed("?route=students") == {backend.pk}
    assert listed("?q=TypeError") == {js.pk}
    assert listed("?level=refusal") == {backend.pk}
    assert listed("?status=resolved") == set()
    assert listed("?since=2000-01-01&until=2999-01-01") == {backend.pk, js.pk}
    assert listed("?until=2000-01-01") == set()
    assert listed("?status_code=abc&since=nonsense") == {backend.pk, js.pk}


def test_a_script_payload_renders_inert(admin_client, parent_client):
    evil = "<script>alert(1)</script>"
    body = report(
        ui_message=evil,
        page_url="javascript:alert(1)",
        response={"error": {"code": "x", "message": evil}},
    )
    assert post_report(parent_client, body).status_code == 202
    incident = Incident.objects.get()
    for url in (LIST + "?status=all", reverse("incidents:detail", kwargs={"incident_id": incident.pk})):
        response = admin_client.get(url)
        content = response.content.decode()
        assert evil not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        assert 'href="javascript:' not in content
        assert "script-src 'self'" in response["Content-Security-Policy"]


def test_resolve_ignore_reopen_are_audited(admin_client, admin):
    incident = record(status_code=500).incident
    url = reverse("incidents:transition", kwargs={"incident_id": incident.pk})
    response = admin_client.post(url, {"action": "resolve", "comment": "fixed"})
    assert response.status_code == 302
    admin_client.post(url, {"action": "reopen"})
    admin_client.post(url, {"action": "ignore", "comment": "noise"}, HTTP_HX_REQUEST="true")
    incident.refresh_from_db()
    assert incident.status == Status.IGNORED
    history = list(incident.history.order_by("id").values_list("to_status", "comment", "actor_id"))
    assert history == [
        ("resolved", "fixed", admin.pk),
        ("open", "", admin.pk),
        ("ignored", "noise", admin.pk),
    ]
    events = AuditEvent.objects.filter(entity_kind="incident", entity_id=str(incident.pk)).order_by("id")
    assert [e.action for e in events] == ["incident.resolve", "incident.reopen", "incident.ignore"]
    before, after = events[0].before or {}, events[0].after or {}
    assert before["status"] == "open" and after["status"] == "resolved"


def test_resolving_twice_is_a_typed_refusal_that_becomes_an_incident(admin_client, admin):
    incident = record().incident
    incident_resolve(actor=admin, incident=incident)
    url = reverse("incidents:transition", kwargs={"incident_id": incident.pk})
    response = admin_client.post(url, {"action": "resolve"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "incident_already_resolved"
    assert "already resolved by Ada Admin" in error["message"]
    refusal = Incident.objects.exclude(pk=incident.pk).get()
    occurrence = refusal.occurrences.get()
    assert occurrence.request_id == response["X-Request-ID"] == error["request_id"]
    assert [(e.kind, e.entity_id) for e in occurrence.entities.all()] == [("incident", str(incident.pk))]


def test_an_unknown_action_is_refused(admin_client):
    incident = record().incident
    url = reverse("incidents:transition", kwargs={"incident_id": incident.pk})
    assert admin_client.post(url, {"action": "delete"}).status_code == 400


def test_the_student_page_shows_its_incidents_panel(admin_client, student, other_student):
    record(entities=(("student", str(student.pk)),), backend_message="Sam's calendar is gone.")
    record(entities=(("student", str(other_student.pk)),), backend_message="Olive's calendar is gone.")
    page = admin_client.get(reverse("academics:student_detail", kwargs={"student_id": student.pk}))
    content = page.content.decode()
    assert "<h2>Incidents</h2>" in content
    assert "Sam&#x27;s calendar" in content and "Olive" not in content
    assert "Signal" in content  # refusals are shown on the entity's page, as signals


def test_navigation_shows_incidents(admin_client):
    content = admin_client.get(LIST).content.decode()
    assert f'href="{LIST}"' in content


def test_a_get_changes_nothing_and_refresh_groups_waiting_reports(admin_client, parent_client):
    post_report(parent_client, report(), group=False)
    for url in (LIST, LIST + "?status=all"):
        response = admin_client.get(url)
        assert PendingReport.objects.count() == 1 and not Incident.objects.exists()
        assert b'data-waiting="1"' in response.content
        assert b"1</span> browser report waits for the worker" in response.content
    response = admin_client.post(reverse("incidents:refresh"), {"next": LIST + "?status=all"})
    assert response.status_code == 302 and response["Location"] == LIST + "?status=all"
    assert not PendingReport.objects.exists()
    incident = Incident.objects.get()
    page = admin_client.get(response["Location"])
    assert f'data-incident="{incident.pk}"'.encode() in page.content
    assert b"Grouped 1 waiting report." in page.content
    assert b"data-waiting" not in page.content


def test_refresh_groups_a_bounded_batch_and_leaves_the_rest_to_the_worker(
    admin_client, parent_client, monkeypatch
):
    from incidents import views

    monkeypatch.setattr(views, "REFRESH_GROUPS_AT_MOST", 2)
    for n in range(5):
        post_report(parent_client, report(entities=[f"student:{n}"]), group=False)
    response = admin_client.post(reverse("incidents:refresh"), follow=True)
    assert b"Grouped 2 waiting reports; the worker is grouping the rest." in response.content
    assert b'data-waiting="3"' in response.content
    assert Incident.objects.get().occurrence_count == 2


def test_only_admins_refresh(parent_client, anon_client):
    post_report(parent_client, report(), group=False)
    assert parent_client.post(reverse("incidents:refresh")).status_code == 403
    assert anon_client.post(reverse("incidents:refresh")).status_code == 302
    assert PendingReport.objects.count() == 1


def test_payloads_show_as_escaped_json_with_long_strings_folded(admin_client):
    long = "x" * 700
    incident = record(
        status_code=500, backend_payload={"error": {"code": "boom", "message": "<b>bold</b>", "stack": long}}
    ).incident
    content = admin_client.get(
        reverse("incidents:detail", kwargs={"incident_id": incident.pk})
    ).content.decode()
    assert "{&#x27;error&#x27;" not in content  # no Python repr
    assert "&quot;error&quot;: {" in content and "&quot;code&quot;: &quot;boom&quot;" in content
    assert "&lt;b&gt;bold&lt;/b&gt;" in content and "<b>bold</b>" not in content
    assert "… (+400 characters)" in content
    assert "Whole payload" in content and long in content


def test_an_admin_takes_an_incident_and_mutes_it_audited(admin_client, admin, parent_client):
    incident = record(status_code=500).incident
    assign = reverse("incidents:assign", kwargs={"incident_id": incident.pk})
    mute = reverse("incidents:mute", kwargs={"incident_id": incident.pk})
    assert parent_client.post(assign, {"action": "take"}).status_code == 403
    assert parent_client.post(mute, {"hours": "24"}).status_code == 403
    page = admin_client.post(assign, {"action": "take"}, follow=True).content.decode()
    assert "Looked after by <strong>Ada Admin</strong>" in page
    page = admin_client.post(mute, {"hours": "24"}, follow=True).content.decode()
    assert "Alerts for this incident are muted until" in page
    incident.refresh_from_db()
    assert incident.assignee == admin and incident.is_muted
    assert admin_client.post(mute, {"hours": "5"}).status_code == 400
    listed = admin_client.get(LIST).content.decode()
    assert "Looked after by Ada Admin" in listed and ">muted</span>" in listed
    admin_client.post(mute, {"hours": "0"})
    admin_client.post(assign, {"action": "release"})
    incident.refresh_from_db()
    assert incident.assignee is None and not incident.is_muted
    actions = (
        AuditEvent.objects.filter(entity_kind="incident").order_by("id").values_list("action", flat=True)
    )
    assert list(actions) == ["incident.assign", "incident.mute", "incident.unmute", "incident.unassign"]
