"""Admin deletes a lesson with attendance through the confirmation dialog; restore brings both back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from academics.lessons import services as lessons
from academics.lessons.models import Attendance, Lesson

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_deletes_lesson_with_attendance_and_restores_it(page, login, admin, student, other_student):
    start = timezone.now() - timedelta(hours=3)
    lesson = lessons.lesson_create(
        actor=admin, subject="Geometry", tutor="Tom", starts_at=start, ends_at=start + timedelta(hours=1),
        students=[student, other_student],
    )  # fmt: skip
    lessons.attendance_mark(actor=admin, lesson=lesson, student=student, status="present")
    lessons.attendance_mark(actor=admin, lesson=lesson, student=other_student, status="absent")
    pk = lesson.pk

    login(admin)
    page.goto(f"/admin/academic/lessons/{pk}/")
    page.locator(".page-head").get_by_role("button", name="Delete").click()
    dialog = page.locator("dialog#delete-lesson")
    assert dialog.is_visible()
    assert "This lesson has 2 attendance records; they will be deleted too." in dialog.inner_text()
    dialog.get_by_role("button", name="Delete").click()
    page.wait_for_url("**/admin/academic/lessons/")
    assert "Deleted 1 lesson and 2 attendance records" in page.content()
    assert not Lesson.objects.filter(pk=pk).exists()
    assert not Attendance.objects.filter(lesson_id=pk).exists()

    page.locator(f'.deleted-lessons [data-entity="lesson:{pk}"]').get_by_role(
        "button", name="Restore"
    ).click()
    page.wait_for_url(f"**/admin/academic/lessons/{pk}/")
    assert "Restored 1 lesson with its attendance" in page.content()
    assert Lesson.objects.filter(pk=pk).exists()
    assert sorted(Attendance.objects.filter(lesson_id=pk).values_list("status", flat=True)) == [
        "absent",
        "present",
    ]
    assert page.locator('[data-entity^="attendance:"]').count() == 2
    assert page.console_errors == []
