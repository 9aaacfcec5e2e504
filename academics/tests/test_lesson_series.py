"""Weekly series: bounded expansion, idempotent, and deletion of one / following / all."""

from datetime import date, time

import pytest
import time_machine

from academics.lessons import deletion
from academics.lessons import services as lessons
from academics.lessons.deletion import DeleteScope
from academics.lessons.models import Attendance, Lesson, LessonSeries

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(admin, student):
    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False):
        return lessons.series_create(
            actor=admin,
            subject="Piano",
            tutor="Pat",
            weekdays=[0, 3],
            start_date=date(2026, 3, 2),
            start_time=time(16, 0),
            end_time=time(17, 0),
            students=[student],
            until_date=date(2026, 12, 31),
            today=date(2026, 3, 2),
        )


def test_series_is_expanded_for_a_bounded_horizon_and_rerun_adds_nothing(series):
    n = series.lessons.count()
    assert n == 17  # Mondays and Thursdays from 2 March through 27 April (8 weeks)
    assert lessons.series_expand(series=series, today=date(2026, 3, 2)) == 0
    assert lessons.series_expand_all(today=date(2026, 3, 9)) == 2
    assert series.lessons.count() == n + 2


def test_count_bounds_the_series(admin, student):
    s = lessons.series_create(
        actor=admin, subject="Art", tutor="A", weekdays=[2], start_date=date(2026, 3, 4),
        start_time=time(10), end_time=time(11), students=[student], count=3, today=date(2026, 3, 1),
    )  # fmt: skip
    assert list(s.lessons.values_list("series_date", flat=True)) == [
        date(2026, 3, 4),
        date(2026, 3, 11),
        date(2026, 3, 18),
    ]


def test_lessons_keep_local_wall_clock_time_across_dst(series):
    # Europe/London moves to BST on 29 March 2026: 16:00 local before and after.
    for day in (date(2026, 3, 26), date(2026, 4, 2)):
        lesson = series.lessons.get(series_date=day)
        from django.utils import timezone

        assert timezone.localtime(lesson.starts_at).time() == time(16, 0)


def test_delete_this_lesson_is_not_brought_back_by_expansion(admin, series):
    lesson = series.lessons.get(series_date=date(2026, 3, 5))
    deletion.lesson_delete(actor=admin, lesson=lesson, scope=DeleteScope.THIS)
    assert lessons.series_expand(series=LessonSeries.objects.get(pk=series.pk), today=date(2026, 3, 2)) == 0
    assert not Lesson.objects.filter(series=series, series_date=date(2026, 3, 5)).exists()


def test_delete_following_and_restore(admin, series):
    lesson = series.lessons.get(series_date=date(2026, 3, 16))
    counts = deletion.deletion_counts(lesson)
    assert counts[DeleteScope.THIS]["lessons"] == 1
    assert counts[DeleteScope.FOLLOWING]["lessons"] == 13
    assert counts[DeleteScope.SERIES]["lessons"] == 17
    result = deletion.lesson_delete(actor=admin, lesson=lesson, scope=DeleteScope.FOLLOWING)
    assert series.lessons.count() == 4
    assert LessonSeries.objects.get(pk=series.pk).until_date == date(2026, 3, 15)
    deletion.lesson_restore(actor=admin, event_id=result.event.pk)
    assert series.lessons.count() == 17
    assert LessonSeries.objects.get(pk=series.pk).until_date == date(2026, 12, 31)


def test_delete_whole_series_with_attendance_and_restore(admin, series, student):
    first = series.lessons.get(series_date=date(2026, 3, 2))
    with time_machine.travel("2026-03-02 16:30 +00:00"):
        lessons.attendance_mark(actor=admin, lesson=first, student=student, status="present")
    result = deletion.lesson_delete(actor=admin, lesson=first, scope=DeleteScope.SERIES)
    assert (result.lessons, result.attendance) == (17, 1)
    assert not LessonSeries.objects.exists() and not Lesson.objects.exists()
    deletion.lesson_restore(actor=admin, event_id=result.event.pk)
    assert LessonSeries.objects.get(pk=series.pk).lessons.count() == 17
    assert Attendance.objects.get().lesson_id == first.pk
