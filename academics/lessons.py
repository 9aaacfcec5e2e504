"""Writes to lessons, series and attendance; each runs in one transaction with its audit event."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date

from academics.lesson_models import Attendance, AttendanceStatus, Lesson, LessonSeries
from academics.models import Student
from academy.errors import Conflict, DomainError, NotFound
from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event

DEFAULT_HORIZON_WEEKS = 8
DELETE_ACTION = "lesson.delete"
RESTORE_ACTION = "lesson.restore"


class DeleteScope:
    THIS = "this"
    FOLLOWING = "following"
    SERIES = "series"
    ALL = (THIS, FOLLOWING, SERIES)


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
    lesson.students.set(students)
    record_event(actor=actor, action="lesson.create", entity=lesson, after=lesson.snapshot())
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
    if students is not None:
        lesson.students.set(students)
    record_event(actor=actor, action="lesson.update", entity=lesson, before=before, after=lesson.snapshot())
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
    series.students.set(students)
    record_event(actor=actor, action="series.create", entity=series, after=series.snapshot())
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


# --- deletion and restore -------------------------------------------------------------------


def lessons_in_scope(lesson: Lesson, scope: str) -> list[Lesson]:
    if scope not in DeleteScope.ALL:
        raise DomainError("invalid_scope", "Choose this lesson, this and following, or the whole series.")
    if lesson.series_id is None or scope == DeleteScope.THIS:
        return [lesson]
    lessons = Lesson.objects.filter(series_id=lesson.series_id)
    if scope == DeleteScope.FOLLOWING:
        lessons = lessons.filter(series_date__gte=lesson.series_date)
    return list(lessons.order_by("starts_at", "id"))


def deletion_counts(lesson: Lesson) -> dict[str, dict[str, int]]:
    """What each delete choice removes: {scope: {"lessons": n, "attendance": m}}."""
    scopes = [DeleteScope.THIS] if lesson.series_id is None else list(DeleteScope.ALL)
    counts = {}
    for scope in scopes:
        ids = [lsn.pk for lsn in lessons_in_scope(lesson, scope)]
        counts[scope] = {
            "lessons": len(ids),
            "attendance": Attendance.objects.filter(lesson_id__in=ids).count(),
        }
    return counts


@dataclass
class LessonDeleted:
    event: AuditEvent
    lessons: int
    attendance: int
    lesson_ids: list[int] = field(default_factory=list)


def _between_deletes() -> None:
    """A seam for the fault-injection test: runs after attendance is gone, before the lessons."""


@transaction.atomic
def lesson_delete(*, actor: User, lesson: Lesson, scope: str = DeleteScope.THIS) -> LessonDeleted:
    """Delete a lesson (or part of its series) and its attendance, as the admin intends.

    1. Snapshot the lessons and their attendance for the audit event (restore reads it back).
    2. Delete attendance first: the foreign key protects it, so nothing cascades by accident.
    3. Delete the lessons, adjust the series so re-expansion does not bring them back, and
       record the event, all inside this transaction.
    """
    lesson = Lesson.objects.select_for_update().filter(pk=lesson.pk).first() or _not_found()
    lessons = lessons_in_scope(lesson, scope)
    ids = [lsn.pk for lsn in lessons]
    series = LessonSeries.objects.select_for_update().get(pk=lesson.series_id) if lesson.series_id else None
    snapshot: dict[str, Any] = {
        "scope": scope,
        "lessons": [
            lsn.snapshot()
            for lsn in Lesson.objects.filter(pk__in=ids).prefetch_related("students", "attendance")
        ],
        "series": series.snapshot() if series else None,
    }
    attendance = Attendance.objects.filter(lesson_id__in=ids).delete()[0]
    _between_deletes()
    Lesson.objects.filter(pk__in=ids).delete()
    if series is not None:
        if scope == DeleteScope.SERIES:
            series.delete()
        elif scope == DeleteScope.FOLLOWING:
            assert lesson.series_date is not None
            series.until_date = lesson.series_date - timedelta(days=1)
            series.save(update_fields=["until_date"])
        else:
            series.skipped_dates = sorted({*series.skipped_dates, lesson.series_date.isoformat()})  # type: ignore[union-attr]
            series.save(update_fields=["skipped_dates"])
    event = record_event(
        actor=actor,
        action=DELETE_ACTION,
        entity=lesson,
        entity_id=lesson.pk,
        before={"lessons": len(ids), "attendance": attendance},
        snapshot=snapshot,
    )
    return LessonDeleted(event=event, lessons=len(ids), attendance=attendance, lesson_ids=ids)


def _not_found() -> Lesson:
    raise NotFound("lesson_not_found", "We could not find that lesson. It may have been deleted already.")


def deleted_lesson_events() -> Any:
    """Deletion events that have not been restored yet, newest first."""
    restored = AuditEvent.objects.filter(action=RESTORE_ACTION).values_list("after__event", flat=True)
    return (
        AuditEvent.objects.for_log_page()
        .filter(action=DELETE_ACTION)
        .exclude(pk__in=[r for r in restored if r is not None])
    )


@transaction.atomic
def lesson_restore(*, actor: User, event_id: int) -> list[Lesson]:
    """Bring lessons and their attendance back from a deletion event, with their original values
    and ids. Refused if the event was restored already or a conflicting lesson exists now."""
    event = AuditEvent.objects.select_for_update().filter(pk=event_id, action=DELETE_ACTION).first()
    if event is None or not event.snapshot:
        raise NotFound("deletion_not_found", "We could not find that deleted lesson.")
    if AuditEvent.objects.filter(action=RESTORE_ACTION, after__event=event.pk).exists():
        raise Conflict("already_restored", "This lesson was restored already.")
    snap = event.snapshot
    series_snap = snap.get("series")
    series = _restore_series(series_snap, snap["scope"], snap["lessons"]) if series_snap else None
    rows = snap["lessons"]
    _check_restore_conflicts(rows)
    # Whole batches, not a query per lesson or per attendance row: a series with a year of
    # attendance restores in the same handful of queries as a single lesson.
    students = set(
        Student.objects.filter(pk__in={s for row in rows for s in row["students"]}).values_list(
            "pk", flat=True
        )
    )
    markers = {a["marked_by"] for row in rows for a in row["attendance"] if a["marked_by"]}
    users = set(User.objects.filter(pk__in=markers).values_list("pk", flat=True))
    restored = Lesson.objects.bulk_create(
        Lesson(
            pk=row["id"],
            series=series,
            series_date=parse_date(row["series_date"]) if row["series_date"] else None,
            subject=row["subject"],
            tutor=row["tutor"],
            location=row["location"],
            starts_at=datetime.fromisoformat(row["starts_at"]),
            ends_at=datetime.fromisoformat(row["ends_at"]),
        )
        for row in rows
    )
    Lesson.students.through.objects.bulk_create(
        Lesson.students.through(lesson_id=row["id"], student_id=s)
        for row in rows
        for s in row["students"]
        if s in students
    )
    Attendance.objects.bulk_create(
        Attendance(
            pk=a["id"],
            lesson_id=row["id"],
            student_id=a["student"],
            status=a["status"],
            note=a["note"],
            marked_by_id=a["marked_by"] if a["marked_by"] in users else None,
            marked_at=datetime.fromisoformat(a["marked_at"]),
        )
        for row in rows
        for a in row["attendance"]
    )
    record_event(
        actor=actor,
        action=RESTORE_ACTION,
        kind="lesson",
        entity_id=event.entity_id,
        after={"event": event.pk, "lessons": [lsn.pk for lsn in restored]},
    )
    return restored


def _restore_conflict(message: str) -> None:
    raise Conflict("restore_conflict", message)


def _check_restore_conflicts(rows: list[dict]) -> None:
    """Three queries for any number of lessons: ids taken, series dates taken, students busy."""
    if not rows:
        return
    if Lesson.objects.filter(pk__in=[row["id"] for row in rows]).exists():
        _restore_conflict("A lesson with this id exists again, so it cannot be restored.")
    dates = Q()
    for row in rows:
        if row["series"]:
            dates |= Q(series_id=row["series"], series_date=row["series_date"])
    taken = Lesson.objects.filter(dates).values_list("series_date", flat=True).first() if dates else None
    if taken is not None:
        _restore_conflict(
            f"The series has a lesson on {taken.isoformat()} again, so this one cannot be restored."
        )
    busy = Q()
    for row in rows:
        if row["students"]:
            busy |= Q(
                students__in=row["students"],
                starts_at__lt=datetime.fromisoformat(row["ends_at"]),
                ends_at__gt=datetime.fromisoformat(row["starts_at"]),
            )
    clash = Lesson.objects.filter(busy).distinct().first() if busy else None
    if clash is not None:
        _restore_conflict(f"A conflicting lesson now exists for the same student at that time: {clash}.")


def _restore_series(snap: dict, scope: str, lessons: list[dict]) -> LessonSeries:
    series = LessonSeries.objects.select_for_update().filter(pk=snap["id"]).first()
    if series is None:
        series = LessonSeries.objects.create(
            pk=snap["id"],
            subject=snap["subject"],
            tutor=snap["tutor"],
            location=snap["location"],
            weekdays=snap["weekdays"],
            start_time=snap["start_time"],
            end_time=snap["end_time"],
            start_date=snap["start_date"],
            until_date=snap["until_date"],
            count=snap["count"],
            skipped_dates=snap["skipped_dates"],
        )
        series.students.set(Student.objects.filter(pk__in=snap["students"]))
        return series
    if scope == DeleteScope.FOLLOWING:
        series.until_date = parse_date(snap["until_date"]) if snap["until_date"] else None
    dates = {row["series_date"] for row in lessons}
    series.skipped_dates = sorted(set(series.skipped_dates) - dates)
    series.save(update_fields=["until_date", "skipped_dates"])
    return series
