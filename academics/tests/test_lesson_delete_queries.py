"""Deleting and restoring a whole series takes the same number of queries whatever its size."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from academics.lessons import deletion
from academics.lessons.deletion import DeleteScope
from academics.lessons.models import Attendance, AttendanceStatus, Lesson, LessonSeries
from academics.models import Student

pytestmark = pytest.mark.django_db


def _series(admin, *, weeks: int, pupils: int) -> Lesson:
    """A weekly series of `weeks` lessons, `pupils` students each, every student marked."""
    students = Student.objects.bulk_create(
        Student(first_name=f"S{i}", last_name="Series", school_year="Year 5") for i in range(pupils)
    )
    start = date(2026, 1, 5)
    series = LessonSeries.objects.create(
        subject="Piano", tutor="Pat", weekdays=[0], start_time=time(16), end_time=time(17),
        start_date=start, count=weeks,
    )  # fmt: skip
    series.students.set(students)
    tz = timezone.get_current_timezone()
    rows = []
    for week in range(weeks):
        day = start + timedelta(weeks=week)
        at = datetime.combine(day, time(16), tz)
        rows.append(Lesson(series=series, series_date=day, subject="Piano", tutor="Pat",
                           starts_at=at, ends_at=at + timedelta(hours=1)))  # fmt: skip
    made = Lesson.objects.bulk_create(rows)
    made = list(Lesson.objects.filter(series=series).order_by("series_date"))
    Lesson.students.through.objects.bulk_create(
        Lesson.students.through(lesson_id=lsn.pk, student_id=s.pk) for lsn in made for s in students
    )
    Attendance.objects.bulk_create(
        Attendance(lesson=lsn, student=s, status=AttendanceStatus.PRESENT, marked_by=admin,
                   marked_at=lsn.ends_at)
        for lsn in made for s in students
    )  # fmt: skip
    return made[0]


def _delete_and_restore(admin, first: Lesson) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as deleted:
        result = deletion.lesson_delete(actor=admin, lesson=first, scope=DeleteScope.SERIES)
    with CaptureQueriesContext(connection) as restored:
        deletion.lesson_restore(actor=admin, event_id=result.event.pk)
    return len(deleted), len(restored)


def test_series_delete_and_restore_take_a_fixed_number_of_queries(admin):
    small = _delete_and_restore(admin, _series(admin, weeks=2, pupils=2))
    Attendance.objects.all().delete()
    Lesson.objects.all().delete()
    LessonSeries.objects.all().delete()
    first = _series(admin, weeks=12, pupils=5)
    large = _delete_and_restore(admin, first)
    assert large == small
    # and restore really brought everything back, marker included
    assert Lesson.objects.filter(series_id=first.series_id).count() == 12
    assert Attendance.objects.filter(lesson__series_id=first.series_id, marked_by=admin).count() == 60
    assert Lesson.students.through.objects.filter(lesson__series_id=first.series_id).count() == 60


def test_restore_keeps_a_marker_who_still_exists_and_forgets_one_who_does_not(admin, parent, student):
    first = _series(admin, weeks=2, pupils=1)
    Attendance.objects.filter(lesson=first).update(marked_by=parent)
    result = deletion.lesson_delete(actor=admin, lesson=first, scope=DeleteScope.SERIES)
    parent.delete()
    deletion.lesson_restore(actor=admin, event_id=result.event.pk)
    markers = dict(Attendance.objects.values_list("lesson__series_date", "marked_by"))
    assert markers == {date(2026, 1, 5): None, date(2026, 1, 12): admin.pk}
