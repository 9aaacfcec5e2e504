"""Deleting lessons (one, this and following, a whole series) and restoring them from the
audit event's snapshot; each runs in one transaction with its audit event."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.db import transaction
from django.db.models import Q
from django.utils.dateparse import parse_date

from academics.lessons.models import Attendance, Lesson, LessonSeries
from academics.models import Student
from academy.errors import Conflict, DomainError, NotFound, get_or_not_found
from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event

DELETE_ACTION = "lesson.delete"
RESTORE_ACTION = "lesson.restore"


class DeleteScope:
    THIS = "this"
    FOLLOWING = "following"
    SERIES = "series"
    ALL = (THIS, FOLLOWING, SERIES)


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
    lesson = get_or_not_found(
        Lesson.objects.select_for_update(),
        "lesson_not_found",
        "We could not find that lesson. It may have been deleted already.",
        pk=lesson.pk,
    )
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
            series.skipped_dates = sorted({*series.skipped_dates, cast(date, lesson.series_date).isoformat()})
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
    restored = _restore_rows(rows, series)
    record_event(
        actor=actor,
        action=RESTORE_ACTION,
        kind="lesson",
        entity_id=event.entity_id,
        after={"event": event.pk, "lessons": [lsn.pk for lsn in restored]},
    )
    return restored


def _restore_rows(rows: list[dict[str, Any]], series: LessonSeries | None) -> list[Lesson]:
    """The snapshot's lessons, their students and attendance, with their original ids.

    Whole batches, not a query per lesson or per attendance row: a series with a year of
    attendance restores in the same handful of queries as a single lesson. A student or a marker
    deleted since is left out rather than failing the restore."""
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
    return restored


def _restore_conflict(message: str) -> None:
    raise Conflict("restore_conflict", message)


def _check_restore_conflicts(rows: list[dict[str, Any]]) -> None:
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


def _restore_series(snap: dict[str, Any], scope: str, lessons: list[dict[str, Any]]) -> LessonSeries:
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
