"""Lessons opens on what is coming and the past week's lessons still needing attendance."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from academics.lessons import services as lessons
from academics.lessons.models import AttendanceStatus

pytestmark = pytest.mark.django_db


def test_default_view_includes_last_weeks_unmarked_lessons(admin, admin_client, make_lesson, student):
    now = timezone.now()
    make_lesson([student], start=now + timedelta(days=1), subject="Tomorrow")
    make_lesson([student], start=now - timedelta(days=3), subject="Unmarked")
    marked = make_lesson([student], start=now - timedelta(days=2), subject="Marked")
    lessons.attendance_mark(actor=admin, lesson=marked, student=student, status=AttendanceStatus.PRESENT)
    make_lesson([student], start=now - timedelta(days=9), subject="Too old")
    page = admin_client.get(reverse("academics:lesson_list"))
    assert [lesson.subject for lesson in page.context["page"]] == ["Unmarked", "Tomorrow"]
    assert "needs attendance" in page.content.decode()


def test_needs_attendance_filter(admin, admin_client, make_lesson, student):
    now = timezone.now()
    make_lesson([student], start=now - timedelta(days=9), subject="Old unmarked")
    make_lesson([student], start=now + timedelta(days=2), subject="Future")
    page = admin_client.get(reverse("academics:lesson_list"), {"needs": "attendance"})
    assert [lesson.subject for lesson in page.context["page"]] == ["Old unmarked"]
