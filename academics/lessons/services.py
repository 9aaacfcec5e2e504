"""Writes to lessons, series and attendance; each runs in one transaction with its audit event."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from academics.lessons.models import Attendance, AttendanceStatus, Lesson, LessonSeries
from academics.models import Student
from academics.recording import set_people_and_record
from academy.errors import Conflict, DomainError, NotFound
from accounts.models import User
from audit.services import record_event

DEFAULT_HORIZON_WEEKS = 8


def attendance_max_future() -> timedelta:
    """How far ahead of its start a lesson may have attendance taken (setting, minutes)."""
    return timedelta(minutes=getattr(settings, "ATTENDANCE_MAX_FUTURE_MINUTES", 60))


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise DomainError("lesson_invalid_times", "A lesson must end after it starts.")


def _check_clash(
    students: Iterable[Student], starts_at: datetime, ends_at: datetime, exclude: int | None
) -> None:
    """A student cannot be in two lessons at once: refuse, naming the lesson in the way."""
    ids = [s.pk for s in students]
    overlapping = Lesson.objects.filter(students__in=ids, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude)
    clash = overlapping.order_by("starts_at").prefetch_related("students").first()
    if clash is None:
        return
    names = [s.full_name for s in clash.students.all() if s.pk in ids]
    who = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    raise Conflict(
        "lesson_clash",
        f"{who} already {'has' if len(names) == 1 else 'have'} {clash} to "
        f"{timezone.localtime(clash.ends_at):%H:%M} at that time.",
        details={"field": "starts_at", "lesson_id": clash.pk},
    )


@transaction.atomic
def lesson_create(
    *,
    actor: User,
    subject: str,
    tutor: str,
    starts_at: datetime,
    ends_at: datetime,
    students: Iterable[Student],
    location: str = "",
) -> Lesson:
    _check_times(starts_at, ends_at)
    students = list(students)
    _check_clash(students, starts_at, ends_at, exclude=None)
    lesson = Lesson.objects.create(
        subject=subject, tutor=tutor, location=location, starts_at=starts_at, ends_at=ends_at
    )
    set_people_and_record(lesson, actor=actor, action="lesson.create", people="students", chosen=students)
    return lesson


@transaction.atomic
def lesson_update(
    *, actor: User, lesson: Lesson, students: Iterable[Student] | None = None, **changes: Any
) -> Lesson:
    unknown = set(changes) - {"subject", "tutor", "location", "starts_at", "ends_at"}
    if unknown:
        raise TypeError(f"Unknown lesson fields: {sorted(unknown)}")
    before = lesson.snapshot()
    for name, value in changes.items():
        setattr(lesson, name, value)
    _check_times(lesson.starts_at, lesson.ends_at)
    students = list(students) if students is not None else None
    _check_clash(
        students if students is not None else lesson.students.all(),
        lesson.starts_at,
        lesson.ends_at,
        exclude=lesson.pk,
    )
    lesson.save()
    set_people_and_record(
        lesson, actor=actor, action="lesson.update", people="students", chosen=students, before=before
    )
    return lesson


# --- series ---------------------------------------------------------------------------------


def series_dates(series: LessonSeries, *, until: date) -> list[date]:
    """The series' occurrence dates up to `until` (inclusive), honouring until_date and count.
    Skipped dates still count towards `count`: deleting one lesson does not extend the series."""
    last = min(d for d in (until, series.until_date) if d is not None)
    weekdays = set(series.weekdays)
    dates: list[date] = []
    day, n = series.start_date, 0
    while day <= last:
        if day.weekday() in weekdays:
            n += 1
            if series.count is not None and n > series.count:
                break
            dates.append(day)
        day += timedelta(days=1)
    return dates


def series_expand(
    *, series: LessonSeries, today: date | None = None, horizon_weeks: int = DEFAULT_HORIZON_WEEKS
) -> int:
    """Create the series' missing lessons up to the horizon. Safe to run twice or concurrently:
    the (series, series_date) unique key refuses a duplicate, which we then skip."""
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    wanted = set(series_dates(series, until=today + timedelta(weeks=horizon_weeks)))
    wanted -= {parse_date(d) for d in series.skipped_dates}
    wanted -= set(series.lessons.values_list("series_date", flat=True))
    student_ids = list(series.students.values_list("pk", flat=True))
    created = 0
    for day in sorted(wanted):
        try:
            with transaction.atomic():
                lesson = Lesson.objects.create(
                    series=series,
                    series_date=day,
                    subject=series.subject,
                    tutor=series.tutor,
                    location=series.location,
                    starts_at=datetime.combine(day, series.start_time, tz),
                    ends_at=datetime.combine(day, series.end_time, tz),
                )
                lesson.students.set(student_ids)
        except IntegrityError:
            continue  # another scheduler made it first
        created += 1
    return created


def series_expand_all(*, today: date | None = None, horizon_weeks: int = DEFAULT_HORIZON_WEEKS) -> int:
    today = today or timezone.localdate()
    created = 0
    for series in LessonSeries.objects.exclude(until_date__lt=today).iterator():
        created += series_expand(series=series, today=today, horizon_weeks=horizon_weeks)
    return created


@transaction.atomic
def series_create(
    *,
    actor: User,
    subject: str,
    tutor: str,
    weekdays: Iterable[int],
    start_date: date,
    start_time: time,
    end_time: time,
    students: Iterable[Student],
    location: str = "",
    until_date: date | None = None,
    count: int | None = None,
    today: date | None = None,
) -> LessonSeries:
    days = sorted({int(d) for d in weekdays})
    if not days or any(d < 0 or d > 6 for d in days):
        raise DomainError("series_invalid_weekdays", "Choose at least one weekday.")
    if end_time <= start_time:
        raise DomainError("lesson_invalid_times", "A lesson must end after it starts.")
    if until_date is None and count is None:
        raise DomainError("series_unbounded", "A series needs an end date or a number of lessons.")
    series = LessonSeries.objects.create(
        subject=subject,
        tutor=tutor,
        location=location,
        weekdays=days,
        start_date=start_date,
        start_time=start_time,
        end_time=end_time,
        until_date=until_date,
        count=count,
    )
    set_people_and_record(series, actor=actor, action="series.create", people="students", chosen=students)
    # The first weeks appear at once; the scheduler keeps the horizon rolling after that.
    series_expand(series=series, today=today)
    return series


# --- attendance -----------------------------------------------------------------------------


def _check_attendance_time(lesson: Lesson) -> None:
    if lesson.starts_at > timezone.now() + attendance_max_future():
        raise DomainError(
            "attendance_too_early", "Attendance can only be taken once the lesson is about to start."
        )


@transaction.atomic
def attendance_mark(
    *, actor: User, lesson: Lesson, student: Student, status: str, note: str = ""
) -> Attendance:
    if status not in AttendanceStatus.values:
        raise DomainError("attendance_invalid_status", "Choose present, absent, late or excused.")
    _check_attendance_time(lesson)
    if not lesson.students.filter(pk=student.pk).exists():
        raise NotFound("student_not_in_lesson", "That student is not in this lesson.")
    existing = Attendance.objects.select_for_update().filter(lesson=lesson, student=student).first()
    before = existing.snapshot() if existing else None
    attendance, _ = Attendance.objects.update_or_create(
        lesson=lesson,
        student=student,
        defaults={"status": status, "note": note, "marked_by": actor, "marked_at": timezone.now()},
    )
    record_event(
        actor=actor, action="attendance.mark", entity=attendance, before=before, after=attendance.snapshot()
    )
    return attendance


@transaction.atomic
def attendance_mark_all_present(*, actor: User, lesson: Lesson) -> int:
    """Mark present every student of the lesson who has no attendance yet; others keep theirs."""
    _check_attendance_time(lesson)
    marked = set(lesson.attendance.values_list("student_id", flat=True))
    now = timezone.now()
    rows = [
        Attendance(
            lesson=lesson, student_id=sid, status=AttendanceStatus.PRESENT, marked_by=actor, marked_at=now
        )
        for sid in lesson.students.values_list("pk", flat=True)
        if sid not in marked
    ]
    Attendance.objects.bulk_create(rows)
    record_event(
        actor=actor,
        action="attendance.mark_all_present",
        entity=lesson,
        after={"marked_present": sorted(r.student_id for r in rows)},
    )
    return len(rows)
