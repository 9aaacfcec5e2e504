"""The audit log speaks to people: who by name, what by name with a link, changes as a table."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from academics.lessons import deletion
from academics.lessons import services as lessons
from academics.students.services import student_update
from audit.changes import action_label

pytestmark = pytest.mark.django_db


def _rows(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_change_reads_as_a_table_of_fields(admin_client, admin, student):
    student_update(actor=admin, student=student, school_year="Year 6")
    html = admin_client.get(reverse("audit:log")).content.decode()
    text = _rows(html)
    assert "Ada Admin" in text and "admin:" not in text
    assert "Student changed" in text
    assert f'href="{reverse("academics:student_detail", args=[student.pk])}">Sam Student</a>' in html
    assert "School year Year 5 Year 6" in text  # field, before, after
    assert "{'" not in html and "student:" not in text


def test_a_lesson_is_named_by_subject_and_time_and_ids_become_names(admin_client, admin, student):
    start = timezone.now().replace(hour=15, minute=30, second=0, microsecond=0) - timedelta(days=1)
    lesson = lessons.lesson_create(actor=admin, subject="Chemistry", tutor="T", starts_at=start,
                                   ends_at=start + timedelta(hours=1), students=[student])  # fmt: skip
    text = _rows(admin_client.get(reverse("audit:log")).content.decode())
    assert f"Chemistry, {timezone.localtime(start):%a} {timezone.localtime(start).day} " in text
    assert "Students Sam Student" in text  # the id list, as names
    deletion.lesson_delete(actor=admin, lesson=lesson, scope=deletion.DeleteScope.THIS)
    text = _rows(admin_client.get(reverse("audit:log")).content.decode())
    assert f"Lesson #{lesson.pk} (deleted)" in text


def test_query_count_stays_flat_across_kinds(admin_client, admin, student, django_assert_max_num_queries):
    start = timezone.now()
    for i in range(10):
        student_update(actor=admin, student=student, notes=str(i))
        lessons.lesson_create(actor=admin, subject=f"L{i}", tutor="T", starts_at=start + timedelta(days=i),
                              ends_at=start + timedelta(days=i, hours=1), students=[student])  # fmt: skip
    # session, user, count, page, kinds, and one query per kind named (student, lesson)
    with django_assert_max_num_queries(8):
        admin_client.get(reverse("audit:log"))


def test_action_labels():
    assert action_label("lesson.create") == "Lesson created"
    assert action_label("attendance.mark") == "Attendance marked"
    assert action_label("media.optimise_requested") == "Media queued for optimising"
    assert action_label("something.new_thing") == "Something new thing"
