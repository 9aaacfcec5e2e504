from datetime import timedelta

import pytest
from django.utils import timezone

from academics.lessons import services as lessons
from academics.lessons.models import AttendanceStatus


@pytest.fixture
def make_lesson(admin):
    def _make(students, *, start=None, hours=1, **kw):
        start = start or timezone.now() - timedelta(hours=2)
        return lessons.lesson_create(
            actor=admin,
            subject=kw.pop("subject", "Maths"),
            tutor=kw.pop("tutor", "Tom Tutor"),
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            students=students,
            **kw,
        )

    return _make


@pytest.fixture
def lesson_with_attendance(admin, make_lesson, student, other_student):
    lesson = make_lesson([student, other_student])
    lessons.attendance_mark(actor=admin, lesson=lesson, student=student, status=AttendanceStatus.PRESENT)
    lessons.attendance_mark(
        actor=admin, lesson=lesson, student=other_student, status=AttendanceStatus.LATE, note="bus"
    )
    return lesson
