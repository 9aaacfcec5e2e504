"""Entities are the ones the failing action was about, and a customer anchors only their own."""

import pytest
from django.urls import reverse

from incidents.models import ENTITY_KINDS, Occurrence, entity_url
from incidents.tests.helpers import post_report, report

pytestmark = pytest.mark.django_db


def refs(occurrence: Occurrence) -> set[tuple[str, str]]:
    return {(e.kind, e.entity_id) for e in occurrence.entities.all()}


def test_a_report_names_its_request_urls_entity_and_the_acting_element(admin_client, student, other_student):
    url = reverse("academics:student_archive", kwargs={"student_id": other_student.pk})
    body = report(request={"method": "POST", "url": url, "status": 409}, entities=[f"student:{student.pk}"])
    assert post_report(admin_client, body).status_code == 202
    assert refs(Occurrence.objects.get()) == {
        ("student", str(other_student.pk)),
        ("student", str(student.pk)),
    }


def test_a_parent_cannot_anchor_another_familys_student(parent_client, student, other_student):
    body = report(
        request={"method": "GET", "url": f"/portal/students/{other_student.pk}/", "status": 404},
        entities=[f"student:{student.pk}", f"student:{other_student.pk}", "lesson:1", "job:9"],
    )
    assert post_report(parent_client, body).status_code == 202
    assert refs(Occurrence.objects.get()) == {("student", str(student.pk))}


def test_a_parents_refused_request_does_not_anchor_the_student_they_probed(parent_client, other_student):
    assert parent_client.get(f"/portal/students/{other_student.pk}/").status_code == 404
    occurrence = Occurrence.objects.get()
    assert refs(occurrence) == set()


def test_an_admins_refused_request_anchors_its_route_entity(admin_client):
    assert admin_client.get("/admin/academic/lessons/999999/").status_code == 404
    assert refs(Occurrence.objects.get()) == {("lesson", "999999")}


def test_a_parent_anchors_their_own_homework_but_not_anothers(parent_client, student, other_student, admin):
    from homework.models import Homework

    own = Homework.objects.create(student=student, title="Mine", submitted_by=admin)
    other = Homework.objects.create(student=other_student, title="Theirs", submitted_by=admin)
    body = report(
        entities=[f"homework:{own.pk}", f"homework:{other.pk}"],
        request={"method": "POST", "url": "/portal/homework/uploads/", "status": 400},
    )
    assert post_report(parent_client, body).status_code == 202
    assert refs(Occurrence.objects.get()) == {("homework", str(own.pk))}


def test_the_reporter_no_longer_names_every_entity_on_the_page():
    from pathlib import Path

    source = Path(__file__).resolve().parents[1].joinpath("static/incidents/reporter.js").read_text()
    assert "main [data-entity]" not in source


def test_every_entity_kind_links_to_its_page_registered_by_the_app_that_owns_it():
    """Incidents names only its own pages and those below it; academics, homework and media
    register theirs (anchoring.register_link), so the hub's entity links cover every kind."""
    links = {kind: entity_url(kind, "7") for kind in sorted(ENTITY_KINDS)}
    assert links == {
        "customer": None,  # no page of their own
        "homework": reverse("homework:admin_detail", kwargs={"homework_id": 7}),
        "incident": reverse("incidents:detail", kwargs={"incident_id": 7}),
        "job": reverse("jobs:detail", kwargs={"job_id": 7}),
        "lesson": reverse("academics:lesson_detail", kwargs={"lesson_id": 7}),
        "media": reverse("media:detail", kwargs={"media_id": 7}),
        "student": reverse("academics:student_detail", kwargs={"student_id": 7}),
        "task": reverse("academics:task_detail", kwargs={"task_id": 7}),
    }
    assert entity_url("schedule", "7") is None
