"""Admin > Academic > Tasks pages, by persona."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academics.tasks import services as task_services
from academics.tasks.models import Recurrence, Task, TaskInstance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel("2026-03-10 12:00 +00:00", tick=False):
        yield


@pytest.fixture
def task(admin, student):
    return task_services.task_create(
        actor=admin,
        title="Reading",
        students=[student],
        start_date=date(2026, 3, 1),
        recurrence=Recurrence.DAILY,
    )


def test_pages_by_persona(task, admin_client, parent_client, other_parent_client, anon_client):
    for url in (
        reverse("academics:task_list"),
        reverse("academics:task_create"),
        reverse("academics:task_detail", kwargs={"task_id": task.pk}),
        reverse("academics:task_edit", kwargs={"task_id": task.pk}),
    ):
        assert admin_client.get(url).status_code == 200, url
        assert parent_client.get(url).status_code == 403, url
        assert other_parent_client.get(url).status_code == 403, url
        assert anon_client.get(url).status_code == 302, url


def test_list_query_count_is_pinned(admin, admin_client, student, other_student):
    for n in range(12):
        task_services.task_create(
            actor=admin, title=f"T{n}", students=[student, other_student], start_date=date(2026, 3, 1)
        )
    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.get(reverse("academics:task_list"))
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 5, [q["sql"] for q in ctx.captured_queries]


def test_admin_creates_task_with_one_instance_and_marks_it(admin_client, student):
    response = admin_client.post(
        reverse("academics:task_create"),
        {"title": "Spelling", "recurrence": "daily", "start_date": "2026-03-01", "students": [student.pk]},
    )
    assert response.status_code == 302
    instance = TaskInstance.objects.get()
    assert instance.date == date(2026, 3, 10)
    url = reverse("academics:task_instance_status", kwargs={"instance_id": instance.pk})
    assert admin_client.post(url, {"status": "missed"}).status_code == 302
    instance.refresh_from_db()
    assert instance.status == "missed"


def test_deactivate_and_calendar(task, admin_client):
    response = admin_client.get(reverse("academics:task_detail", kwargs={"task_id": task.pk}))
    assert b'data-entity="task_instance:' in response.content
    admin_client.post(reverse("academics:task_toggle_active", kwargs={"task_id": task.pk}), {"active": "0"})
    assert not Task.objects.get(pk=task.pk).is_active


def test_customer_cannot_change_an_instance(task, parent_client):
    instance = TaskInstance.objects.get()
    url = reverse("academics:task_instance_status", kwargs={"instance_id": instance.pk})
    assert parent_client.post(url, {"status": "done"}).status_code == 403
