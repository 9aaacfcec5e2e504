"""The week view is a calendar: lessons placed on a time axis, overlaps side by side, slots to click."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from academics.lessons.week import build_week

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 30)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def test_lessons_are_placed_on_the_time_axis_and_overlaps_share_the_width(
    make_lesson, student, other_student
):
    tuesday = MONDAY + timedelta(days=1)
    a = make_lesson([student], start=_at(tuesday, 9), subject="A")
    b = make_lesson([other_student], start=_at(tuesday, 9, 30), subject="B")
    c = make_lesson([student], start=_at(tuesday, 14), subject="C")
    week = build_week(MONDAY, [a, b, c], today=tuesday)
    assert week.hours == list(range(8, 20))
    day = week.days[1]
    assert day.is_today and not week.days[0].is_today
    placed = {p.lesson.subject: p for p in day.lessons}
    assert placed["A"].top == round(100 * 60 / 720, 3) and placed["A"].height == round(100 * 60 / 720, 3)
    assert (placed["A"].lanes, placed["B"].lanes, placed["C"].lanes) == (2, 2, 1)
    assert {placed["A"].left, placed["B"].left} == {0, 50}
    assert placed["C"].width == 100
    assert len(day.slots) == 12 and timezone.localtime(day.slots[0].start).hour == 8
    assert (day.slots[0].at, day.slots[0].when) == ("2026-12-01T08:00", "Tue 1 Dec 2026, 08:00")


def test_an_early_lesson_widens_the_day(make_lesson, student):
    early = make_lesson([student], start=_at(MONDAY, 6, 30))
    week = build_week(MONDAY, [early], today=MONDAY)
    assert week.hours[0] == 6 and week.days[0].lessons[0].top == round(100 * 30 / (14 * 60), 3)


def test_page_shows_today_and_a_clicked_slot_prefills_the_new_lesson(admin_client, make_lesson, student):
    make_lesson([student], start=timezone.now().replace(hour=15, minute=0), subject="Chemistry")
    html = admin_client.get(reverse("academics:lesson_week")).content.decode()
    assert 'aria-current="date"' in html and "Chemistry" in html
    form = admin_client.get(reverse("academics:lesson_create"), {"at": "2026-12-01T15:00"}).content.decode()
    assert 'value="2026-12-01T15:00"' in form and 'value="2026-12-01T16:00"' in form
