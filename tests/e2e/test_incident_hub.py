"""Incident Hub, end to end in headless Chromium: a refused admin action shows the person a
friendly message, and the hub keeps that message beside the backend's truth, joined by request id."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role, User
from incidents.grouping import pending_reports_group
from incidents.models import Incident, Occurrence
from incidents.status_changes import incident_resolve
from incidents.tests.helpers import record

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_refused_action_becomes_one_incident_with_both_sides(page, login, admin):
    # A failure the hub already knows about; the admin opens it to resolve it.
    known = record(actor=admin).incident
    login(admin)
    page.goto(f"/admin/insights/incidents/{known.pk}/")
    expect(page.get_by_role("button", name="Resolve")).to_be_visible()

    # Meanwhile a colleague resolves it, so the admin's page is stale.
    colleague = User.objects.create_user(
        email="bea@example.test", password="x-pass-2026-long", full_name="Bea Colleague", role=Role.ADMIN
    )
    incident_resolve(actor=colleague, incident=known, comment="done")

    with page.expect_response(lambda r: r.url.endswith("/api/incidents") and r.status == 202) as ingest:
        page.get_by_role("button", name="Resolve").click()
        toast = page.locator(".toasts .toast-error")
        expect(toast).to_contain_text("This incident was already resolved by Bea Colleague")
    assert ingest.value.json() == {"status": "accepted"}

    # No worker runs here: the page only says a report waits (a GET changes nothing), and the
    # admin asks for it to be grouped now. A refusal is a signal, not in the default view.
    page.goto("/admin/insights/incidents/?status=signal&q=incident_already_resolved")
    expect(page.locator("[data-waiting]")).to_contain_text("1 browser report waits for the worker")
    # The backend recorded its side at once; the person's side waits in the inbox.
    assert not Occurrence.objects.get(incident__error_code="incident_already_resolved").has_browser_side
    page.get_by_role("button", name="Group them now").click()
    expect(page.locator(".toasts")).to_contain_text("Grouped 1 waiting report.")
    rows = page.locator("tr[data-incident]")
    expect(rows).to_have_count(1)
    refusal = Incident.objects.get(error_code="incident_already_resolved")
    occurrence = Occurrence.objects.get(incident=refusal)
    assert occurrence.has_browser_side and occurrence.has_backend_side
    assert Incident.objects.count() == 2  # the known one and this refusal: not one per side
    expect(rows.first).to_contain_text("409")
    rows.first.get_by_role("link").click()

    card = page.locator(f'[data-occurrence="{occurrence.pk}"]')
    person = card.get_by_role("region", name="The person saw")
    backend = card.get_by_role("region", name="The backend said")
    expect(person.locator('[data-field="ui-message"]')).to_contain_text(
        "This incident was already resolved by Bea Colleague"
    )
    expect(backend.locator('[data-field="backend-code"]')).to_have_text("incident_already_resolved")
    expect(backend.locator('[data-field="backend-message"]')).to_contain_text(
        "already resolved by Bea Colleague"
    )
    expect(card.locator('[data-field="status"]')).to_have_text("409")
    expect(card.locator('[data-field="entity"]')).to_have_text(f"incident {known.pk}")
    expect(card.locator('[data-field="actor"]')).to_contain_text("Ada Admin (admin)")
    request_id = card.locator('[data-field="request-id"]').inner_text()
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert request_id == occurrence.request_id
    expect(backend.locator('[data-field="backend-payload"]')).to_contain_text(request_id)
    # The last UI actions travelled with the report.
    assert any('click button "Resolve"' in crumb for crumb in occurrence.breadcrumbs)


def test_the_reporter_api_fetch_failures_and_uncaught_errors(page, login, admin, student):
    login(admin)
    page.goto(f"/admin/academic/students/{student.pk}/")
    expect(page.get_by_role("heading", name="Incidents")).to_be_visible()

    with page.expect_response(lambda r: r.url.endswith("/api/incidents")) as ingest:
        page.evaluate(
            """async () => {
                const response = await fetch("/admin/academic/students/999999/", {headers: {Accept: "application/json"}});
                window.academyReport({response, uiMessage: "Could not load the sibling record."});
            }"""
        )
    assert ingest.value.json() == {"status": "accepted"}
    assert pending_reports_group().paired == 1  # the worker's part
    occurrence = Occurrence.objects.get(status_code=404)
    assert occurrence.ui_message == "Could not load the sibling record."
    assert occurrence.error_code == "student_not_found"
    # The entity the failing request was about, not the page's own student.
    assert {(e.kind, e.entity_id) for e in occurrence.entities.all()} == {("student", "999999")}

    # The same uncaught error three times is reported once.
    with page.expect_response(lambda r: r.url.endswith("/api/incidents") and r.status == 202):
        page.evaluate(
            """() => { for (let i = 0; i < 3; i++) setTimeout(() => { throw new TypeError("widget is undefined"); }); }"""
        )
    page.wait_for_timeout(1500)
    pending_reports_group()
    js = Occurrence.objects.filter(source="browser")
    assert js.count() == 1
    assert js.get().incident.error_code == "TypeError"
    assert "widget is undefined" in js.get().ui_message


def test_a_full_page_server_error_pairs_what_the_person_saw_with_the_backend(page, login, admin, settings):
    settings.ROOT_URLCONF = "incidents.tests.urls"  # adds /boom/<student_id>/, which raises
    login(admin)
    response = page.goto("/boom/41/")
    assert response is not None and response.status == 500
    expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
    shown = "Something went wrong on our side. It has been recorded."
    expect(page.locator("main")).to_contain_text(shown)

    page.goto("/admin/insights/incidents/")  # a server error needs a person: the default view
    rows = page.locator("tr[data-incident]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Needs a person")
    rows.first.get_by_role("link").click()
    occurrence = Occurrence.objects.get()
    card = page.locator(f'[data-occurrence="{occurrence.pk}"]')
    person = card.get_by_role("region", name="The person saw")
    backend = card.get_by_role("region", name="The backend said")
    expect(person.locator('[data-field="ui-message"]')).to_have_text(shown)
    expect(person.locator('[data-field="shown-by-server"]')).to_contain_text("/boom/41/")
    expect(person).not_to_contain_text("No browser report")
    expect(backend.locator('[data-field="backend-message"]')).to_contain_text("Cannot compute for student 41")
    expect(backend.locator('[data-field="backend-payload"]')).to_contain_text('"code": "server_error"')
