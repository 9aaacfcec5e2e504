"""Lessons (one-off or from a weekly series) and their attendance."""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from academics.students.models import Student


class LessonSeries(models.Model):
    """A weekly rule. The scheduler expands it into Lesson rows for a bounded horizon."""

    subject = models.CharField(max_length=200)
    tutor = models.CharField(max_length=200)
    location = models.CharField(max_length=300, blank=True, help_text="Room or online link.")
    students = models.ManyToManyField("academics.Student", related_name="lesson_series")
    # ISO weekday numbers Monday=0 … Sunday=6.
    weekdays = models.JSONField(default=list)
    start_time = models.TimeField()
    end_time = models.TimeField()
    start_date = models.DateField()
    until_date = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    # Dates an admin deleted one lesson of: re-expansion must not bring them back.
    skipped_dates = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "lesson series"

    def __str__(self) -> str:
        return f"{self.subject} ({self.tutor}, weekly)"

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "subject": self.subject,
            "tutor": self.tutor,
            "location": self.location,
            "students": sorted(s.pk for s in self.students.all()),
            "weekdays": list(self.weekdays),
            "start_time": self.start_time,
            "end_time": self.end_time,
            "start_date": self.start_date,
            "until_date": self.until_date,
            "count": self.count,
            "skipped_dates": list(self.skipped_dates),
        }


class LessonQuerySet(models.QuerySet["Lesson"]):
    def for_admin_list(self) -> "LessonQuerySet":
        # The count as a subquery per row, not a join grouped over every matching lesson: the
        # database walks the starts_at index and counts for the rows of the page only.
        marked = (
            Attendance.objects.filter(lesson=models.OuterRef("pk"))
            .order_by()
            .values("lesson")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.prefetch_related("students")
            .annotate(attendance_count=Coalesce(models.Subquery(marked), 0))
            .order_by("starts_at", "id")
        )

    def for_week(self) -> "LessonQuerySet":
        """The week view's lessons in time order, with what a calendar box shows and nothing
        counted (academics/lessons/week.py reads the students' names in one query)."""
        return self.only("id", "subject", "tutor", "starts_at", "ends_at").order_by("starts_at", "id")

    def filtered(
        self,
        *,
        student_id: int | None = None,
        student_name: str = "",
        tutor: str = "",
        start: date | None = None,
        end: date | None = None,
    ) -> "LessonQuerySet":
        qs = self
        if student_id:
            qs = qs.filter(students__id=student_id)
        if student_name:
            # A lesson once, however many of its students the name matches (no join, no duplicates).
            named = Student.objects.named(student_name).values("pk")
            qs = qs.filter(
                pk__in=Lesson.students.through.objects.filter(student__in=named).values("lesson_id")
            )
        if tutor:
            qs = qs.filter(tutor__icontains=tutor)
        tz = timezone.get_current_timezone()
        if start:
            qs = qs.filter(starts_at__gte=datetime.combine(start, datetime.min.time(), tz))
        if end:
            qs = qs.filter(starts_at__lt=datetime.combine(end, datetime.min.time(), tz) + _ONE_DAY)
        return qs

    def needing_attendance(self) -> "LessonQuerySet":
        """Lessons with a student whose attendance is not taken yet (whatever their time)."""
        return self.annotate(
            n_students=Count("students", distinct=True), n_marked=Count("attendance", distinct=True)
        ).filter(n_marked__lt=models.F("n_students"))

    def attendance_due(self, *, since: date, until: datetime) -> "LessonQuerySet":
        """Lessons from the start of `since` (local) up to `until` still needing attendance."""
        start = datetime.combine(since, datetime.min.time(), timezone.get_current_timezone())
        return self.filter(starts_at__gte=start, starts_at__lte=until).needing_attendance()

    def default_admin_view(self, today: date, *, past_days: int = 7) -> "LessonQuerySet":
        """The Lessons page without filters: what is coming, and the past week's lessons
        whose attendance is still to take (a tutor who forgot finds them where they look)."""
        tz = timezone.get_current_timezone()
        start = datetime.combine(today, datetime.min.time(), tz)
        since = today - timedelta(days=past_days)
        overdue = self.attendance_due(since=since, until=start)
        # The lower bound is implied by `overdue`; said outright, the starts_at index skips the
        # whole past instead of testing every old lesson against it.
        return self.filter(starts_at__gte=datetime.combine(since, datetime.min.time(), tz)).filter(
            Q(starts_at__gte=start) | Q(pk__in=overdue.values("pk"))
        )

    def upcoming_for_students(self, students: "models.QuerySet[Student]") -> "LessonQuerySet":
        return (
            self.filter(students__in=students, ends_at__gte=timezone.now())
            .distinct()
            # Group lessons: a customer sees only their own students' names.
            .prefetch_related(models.Prefetch("students", queryset=students.order_by("first_name")))
            .order_by("starts_at", "id")
        )


_ONE_DAY = timedelta(days=1)


class Lesson(models.Model):
    series = models.ForeignKey(
        LessonSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="lessons"
    )
    series_date = models.DateField(null=True, blank=True)
    subject = models.CharField(max_length=200)
    tutor = models.CharField(max_length=200)
    location = models.CharField(max_length=300, blank=True, help_text="Room or online link.")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    students = models.ManyToManyField("academics.Student", related_name="lessons")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            # Re-expanding a series (or two schedulers doing it at once) cannot duplicate a date.
            models.UniqueConstraint(
                fields=["series", "series_date"],
                condition=Q(series__isnull=False),
                name="lesson_unique_series_date",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="lesson_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        from ui.text import when  # the app's one date format: "Chemistry, Tue 1 Dec 2026, 15:30"

        return f"{self.subject}, {when(self.starts_at)}"

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "series": self.series_id,
            "series_date": self.series_date,
            "subject": self.subject,
            "tutor": self.tutor,
            "location": self.location,
            # isoformat keeps microseconds (the JSON encoder would cut them): restore is exact.
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "students": sorted(s.pk for s in self.students.all()),
            # .all() then sort: a caller that prefetched the attendance pays no query per lesson.
            "attendance": [a.snapshot() for a in sorted(self.attendance.all(), key=lambda a: a.pk)],
        }


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    ABSENT = "absent", "Absent"
    LATE = "late", "Late"
    EXCUSED = "excused", "Excused"


class AttendanceQuerySet(models.QuerySet["Attendance"]):
    def history_for_students(self, students: "models.QuerySet[Student]") -> "AttendanceQuerySet":
        return (
            self.filter(student__in=students)
            .select_related("lesson", "student")
            .order_by("-lesson__starts_at", "id")
        )


class Attendance(models.Model):
    # PROTECT: deleting a lesson with attendance must go through lesson_delete, which removes
    # the attendance first on purpose and keeps a snapshot; nothing cascades by accident.
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="attendance")
    student = models.ForeignKey("academics.Student", on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    note = models.CharField(max_length=500, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField()

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="attendance_unique_lesson_student")
        ]

    def __str__(self) -> str:
        return f"{self.student_id}@{self.lesson_id}: {self.status}"

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "student": self.student_id,
            "status": self.status,
            "note": self.note,
            "marked_by": self.marked_by_id,
            "marked_at": self.marked_at.isoformat(),  # full precision for restore
        }
