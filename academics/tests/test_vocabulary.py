"""One word per thing (issue 17): a lesson is a lesson in URLs, pages and entity kinds; the old
"schedules" addresses redirect permanently, and the portal is one `portal:` namespace."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from academics.lessons.models import Lesson
from audit.models import AuditEvent
from audit.services import record_event
from incidents.models import ENTITY_KINDS, OccurrenceEntity
from incidents.tests.helpers import record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/academic/schedules/", "/admin/academic/lessons/"),
        ("/admin/academic/schedules/week/?week=2026-12-07", "/admin/academic/lessons/week/?week=2026-12-07"),
        ("/admin/academic/schedules/new/", "/admin/academic/lessons/new/"),
        ("/admin/academic/schedules/new-series/", "/admin/academic/lessons/new-series/"),
        ("/admin/academic/schedules/42/", "/admin/academic/lessons/42/"),
        ("/admin/academic/schedules/42/edit/", "/admin/academic/lessons/42/edit/"),
        ("/admin/academic/schedules/?tutor=Tom&page=2", "/admin/academic/lessons/?tutor=Tom&page=2"),
    ],
)
def test_old_schedules_addresses_redirect_permanently(admin_client, anon_client, old, new):
    response = admin_client.get(old)
    assert response.status_code == 301 and response["Location"] == new
    assert anon_client.get(old)["Location"] == new  # the redirect itself tells nothing


def test_old_address_leads_to_the_page(admin_client, parent_client):
    page = admin_client.get("/admin/academic/schedules/", follow=True)
    assert page.status_code == 200 and b"<h1>Lessons</h1>" in page.content
    assert page.redirect_chain == [("/admin/academic/lessons/", 301)]
    assert parent_client.get("/admin/academic/schedules/", follow=True).status_code == 403


def test_portal_pages_are_one_namespace():
    assert reverse("portal:home") == "/portal/"
    assert reverse("portal:lessons") == "/portal/lessons/"
    assert reverse("portal:tasks") == "/portal/tasks/"
    assert reverse("portal:task_done", args=[3]) == "/portal/tasks/3/done/"
    assert reverse("portal:task_undo", args=[3]) == "/portal/tasks/3/undo/"


def test_parent_lands_on_portal_lessons_under_portal_namespace(parent_client):
    response = parent_client.get("/portal/lessons/")
    assert response.status_code == 200
    assert response.resolver_match.namespace == "portal"


def test_schedule_is_no_entity_kind_and_stored_ones_become_lesson(admin, lesson_with_attendance):
    assert "schedule" not in ENTITY_KINDS and "lesson" in ENTITY_KINDS
    lesson = lesson_with_attendance
    both = record(entities=(("lesson", str(lesson.pk)),))
    OccurrenceEntity.objects.create(
        occurrence=both, incident=both.incident, kind="schedule", entity_id=str(lesson.pk)
    )
    alone = record(backend_message="Another failure")
    OccurrenceEntity.objects.create(occurrence=alone, incident=alone.incident, kind="schedule", entity_id="9")
    record_event(actor=admin, action="lesson.note", kind="schedule", entity_id=lesson.pk)
    migration = importlib.import_module("academics.migrations.0003_lesson_entity_kind")
    migration.forwards(apps, None)
    assert not OccurrenceEntity.objects.filter(kind="schedule").exists()
    assert list(both.entities.filter(entity_id=str(lesson.pk)).values_list("kind", flat=True)) == ["lesson"]
    assert alone.entities.filter(kind="lesson", entity_id="9").count() == 1
    assert not AuditEvent.objects.filter(entity_kind="schedule").exists()
    assert AuditEvent.objects.filter(action="lesson.note", entity_kind="lesson").count() == 1
    assert Lesson.objects.filter(pk=lesson.pk).exists()
