"""A refused form comes back as the same form, the message beside its field, every value kept."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from academics.lessons import services as lessons
from academics.lessons.models import Lesson
from academics.tasks.models import Task
from accounts.models import User

pytestmark = pytest.mark.django_db


def _field_error(html: str, field: str) -> str:
    """The error text shown inside the field block of `field` (id_<field>)."""
    at = html.index(f'id="id_{field}"')
    block_end = html.index('<div class="field', at) if '<div class="field' in html[at:] else len(html)
    block = html[at:block_end]
    start = block.index('class="field-error"')
    return block[block.index(">", start) + 1 : block.index("</p>", start)]


def test_lesson_ending_before_it_starts(admin_client, student):
    data = {
        "subject": "Chemistry",
        "tutor": "Dr Who",
        "location": "Lab 2",
        "starts_at": "2026-12-01T15:30",
        "ends_at": "2026-12-01T15:00",
        "students": [student.pk],
    }
    response = admin_client.post(reverse("academics:lesson_create"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "We could not do that" not in html  # not the full-page error
    assert _field_error(html, "ends_at") == "A lesson must end after it starts."
    for kept in ('value="Chemistry"', 'value="Dr Who"', 'value="Lab 2"', 'value="2026-12-01T15:30"',
                 'value="2026-12-01T15:00"', f'value="{student.pk}" id="id_students_0" checked'):  # fmt: skip
        assert kept in html
    assert not Lesson.objects.exists()


def test_lesson_without_a_student(admin_client, student):
    data = {
        "subject": "Chemistry",
        "tutor": "T",
        "starts_at": "2026-12-01T15:30",
        "ends_at": "2026-12-01T16:00",
    }
    response = admin_client.post(reverse("academics:lesson_create"), data)
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "students_0") == "This field is required."


def test_lesson_edit_refused_keeps_the_form(admin, admin_client, student):
    start = timezone.now()
    lesson = lessons.lesson_create(actor=admin, subject="Maths", tutor="T", starts_at=start,
                                   ends_at=start + timedelta(hours=1), students=[student])  # fmt: skip
    data = {"subject": "Renamed", "tutor": "T", "starts_at": "2026-12-01T15:30",
            "ends_at": "2026-12-01T15:30", "students": [student.pk]}  # fmt: skip
    response = admin_client.post(reverse("academics:lesson_edit", args=[lesson.pk]), data)
    assert response.status_code == 400
    assert 'value="Renamed"' in response.content.decode()
    lesson.refresh_from_db()
    assert lesson.subject == "Maths"


def test_series_without_an_end(admin_client, student):
    data = {"subject": "Piano", "tutor": "P", "weekdays": ["0"], "start_date": "2026-12-01",
            "start_time": "15:00", "end_time": "16:00", "students": [student.pk]}  # fmt: skip
    response = admin_client.post(reverse("academics:series_create"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert _field_error(html, "until_date") == "A series needs an end date or a number of lessons."
    assert 'value="2026-12-01"' in html and 'value="15:00"' in html


def test_task_ending_before_it_starts(admin_client, student):
    data = {"title": "Read", "recurrence": "daily", "start_date": "2026-12-05", "end_date": "2026-12-01",
            "students": [student.pk]}  # fmt: skip
    response = admin_client.post(reverse("academics:task_create"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert _field_error(html, "end_date") == "The end date must not be before the start date."
    assert 'value="Read"' in html and 'value="2026-12-05"' in html
    assert not Task.objects.exists()


def test_new_task_form_date_default_is_iso(admin_client):
    html = admin_client.get(reverse("academics:task_create")).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html  # a type=date input drops 01/12/2026


def test_customer_email_taken(admin_client, parent):
    data = {"email": parent.email, "full_name": "Second Paula"}
    response = admin_client.post(reverse("accounts:customer_create"), data)
    html = response.content.decode()
    assert response.status_code == 409  # the refusal keeps its status
    assert _field_error(html, "email") == f"A user with the email {parent.email} already exists."
    assert 'value="Second Paula"' in html
    assert User.objects.filter(email=parent.email).count() == 1


def test_a_clash_is_refused_beside_the_time_with_the_lesson_in_the_way(admin, admin_client, student):
    start = timezone.make_aware(timezone.datetime(2026, 12, 1, 15, 0))
    lessons.lesson_create(actor=admin, subject="Maths", tutor="T", starts_at=start,
                          ends_at=start + timedelta(hours=1), students=[student])  # fmt: skip
    data = {"subject": "Chemistry", "tutor": "T", "starts_at": "2026-12-01T15:30", "ends_at": "2026-12-01T16:30",
            "students": [student.pk]}  # fmt: skip
    response = admin_client.post(reverse("academics:lesson_create"), data)
    assert response.status_code == 409
    assert _field_error(response.content.decode(), "starts_at") == (
        "Sam Student already has Maths, Tue 1 Dec 2026, 15:00 to 16:00 at that time."
    )
    assert Lesson.objects.count() == 1
