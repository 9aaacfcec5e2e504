"""Customer portal: own students' lessons, attendance and today's tasks; others' are never seen."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from academics.tasks import services as task_services
from academics.tasks.models import Recurrence, TaskInstance
from ui.nav import portal_navigation

pytestmark = pytest.mark.django_db


def test_portal_nav_shows_lessons_and_tasks():
    labels = [e["label"] for e in portal_navigation("/portal/")]
    assert "Lessons" in labels and "Tasks" in labels


def test_customer_sees_own_upcoming_lessons_and_history(
    parent_client,
    other_parent_client,
    anon_client,
    admin_client,
    make_lesson,
    lesson_with_attendance,
    student,
):
    make_lesson([student], start=timezone.now() + timedelta(days=1), subject="Future Physics")
    url = reverse("portal:lessons")
    response = parent_client.get(url)
    assert response.status_code == 200
    assert b"Future Physics" in response.content
    assert b"Sam Student" in response.content  # attendance history
    assert b"Olive" not in response.content  # the group lesson's other student is hidden
    other = other_parent_client.get(url)
    assert b"Future Physics" not in other.content
    assert anon_client.get(url).status_code == 302
    assert admin_client.get(url).status_code == 403


@time_machine.travel("2026-03-10 12:00 +00:00", tick=False)
def test_customer_marks_own_task_done_and_gets_404_for_another(
    admin, parent_client, other_parent_client, student
):
    task_services.task_create(
        actor=admin,
        title="Times tables",
        students=[student],
        start_date=date(2026, 3, 10),
        recurrence=Recurrence.DAILY,
    )
    instance = TaskInstance.objects.get()
    response = parent_client.get(reverse("portal:tasks"))
    assert b"Times tables" in response.content
    assert b"Times tables" not in other_parent_client.get(reverse("portal:tasks")).content
    url = reverse("portal:task_done", kwargs={"instance_id": instance.pk})
    response = other_parent_client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "task_instance_not_found"
    assert parent_client.post(url).status_code == 302
    instance.refresh_from_db()
    assert instance.status == "done" and instance.completed_at is not None


def test_portal_lessons_query_count_is_pinned(parent_client, make_lesson, student):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(6):
        make_lesson([student], start=timezone.now() + timedelta(days=n + 1))
    url = reverse("portal:lessons")
    with CaptureQueriesContext(connection) as first:
        parent_client.get(url)
    for n in range(6):
        make_lesson([student], start=timezone.now() + timedelta(days=n + 10))
    with CaptureQueriesContext(connection) as second:
        parent_client.get(url)
    assert len(second.captured_queries) == len(first.captured_queries) <= 6


@time_machine.travel("2026-03-10 12:00 +00:00", tick=False)
def test_mark_done_and_undo_return_to_the_page_they_were_on(
    admin, parent_client, other_parent_client, student
):
    task_services.task_create(
        actor=admin,
        title="Times tables",
        students=[student],
        start_date=date(2026, 3, 10),
        recurrence=Recurrence.DAILY,
    )
    instance = TaskInstance.objects.get()
    done = reverse("portal:task_done", kwargs={"instance_id": instance.pk})
    undo = reverse("portal:task_undo", kwargs={"instance_id": instance.pk})
    child_page = f"/portal/students/{student.pk}/"
    response = parent_client.post(done, {"next": child_page})
    assert response.status_code == 302 and response["Location"] == child_page
    instance.refresh_from_db()
    assert instance.status == "done"
    assert other_parent_client.post(undo, HTTP_ACCEPT="application/json").status_code == 404
    response = parent_client.post(undo, {"next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("portal:tasks")  # never off-site
    instance.refresh_from_db()
    assert instance.status == "todo" and instance.completed_at is None
    page = parent_client.get(reverse("portal:tasks")).content.decode()
    assert "is to do again for Sam Student" in page and done in page


def test_a_childs_page_is_under_my_students_in_the_menu():
    active = [e["label"] for e in portal_navigation("/portal/students/7/") if e["active"]]
    assert active == ["My students"]
