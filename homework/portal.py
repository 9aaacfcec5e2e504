"""What the parent portal's home and a child's page show, each read in a fixed number of queries
whatever the number of children, lessons, tasks or files (pinned in tests/test_portal_pages.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from academics.lessons.models import Attendance, AttendanceStatus, Lesson
from academics.models import Student
from academics.tasks.models import TaskInstance
from academics.tasks.portal_hooks import mark_handed_in
from homework import queries
from homework.queries import HomeworkRow

ATTENDANCE_WINDOW = timedelta(weeks=4)
RECENT_TASK_DAYS = 7
UPCOMING_ON_CHILD_PAGE = 6
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


@dataclass
class ChildCard:
    """One child on the portal home."""

    student: Student
    next_lesson: Lesson | None = None
    today_tasks: list[TaskInstance] = field(default_factory=list)
    latest: HomeworkRow | None = None
    attendance: list[Attendance] = field(default_factory=list)  # last four weeks, oldest first

    @property
    def attended(self) -> int:
        return sum(1 for a in self.attendance if a.status in ATTENDED)

    @property
    def attendance_note(self) -> str:
        """The marks other than "present", counted: "1 late, 1 absent"."""
        counts: dict[str, int] = {}
        for a in self.attendance:
            if a.status != AttendanceStatus.PRESENT:
                label = a.get_status_display().lower()
                counts[label] = counts.get(label, 0) + 1
        return ", ".join(f"{n} {label}" for label, n in counts.items())

    @property
    def tasks_done(self) -> int:
        return sum(1 for t in self.today_tasks if t.status == "done")


def child_cards(students: list[Student], *, today: date | None = None) -> list[ChildCard]:
    """A card per child: next lesson, today's tasks, latest homework, recent attendance."""
    today = today or timezone.localdate()
    now = timezone.now()
    cards = {s.pk: ChildCard(s) for s in students}
    if not cards:
        return []
    ids = list(cards)
    upcoming = Lesson.objects.filter(students=OuterRef("pk"), ends_at__gte=now).order_by("starts_at", "id")
    next_ids = dict(
        Student.objects.filter(pk__in=ids)
        .annotate(next_lesson=Subquery(upcoming.values("pk")[:1]))
        .values_list("pk", "next_lesson")
    )
    lessons = Lesson.objects.in_bulk([pk for pk in next_ids.values() if pk is not None])
    for student_id, lesson_id in next_ids.items():
        cards[student_id].next_lesson = lessons.get(lesson_id) if lesson_id else None
    for inst in mark_handed_in(TaskInstance.objects.for_portal_day(ids, today)):
        cards[inst.student_id].today_tasks.append(inst)
    for student_id, row in queries.latest_for_students(ids).items():
        cards[student_id].latest = row
    recent = (
        Attendance.objects.filter(student_id__in=ids, lesson__starts_at__gte=now - ATTENDANCE_WINDOW)
        .select_related("lesson")
        .order_by("lesson__starts_at", "id")
    )
    for mark in recent:
        cards[mark.student_id].attendance.append(mark)
    return [cards[s.pk] for s in students]


@dataclass
class ChildPage:
    upcoming: list[Lesson]
    attendance: list[Attendance]
    tasks_by_day: list[tuple[date, list[TaskInstance]]]
    homework: list[HomeworkRow]


def child_page(student: Student, *, today: date | None = None) -> ChildPage:
    """A child's page: upcoming lessons, attendance history, tasks of today and the last days,
    homework handed in."""
    today = today or timezone.localdate()
    only = Student.objects.filter(pk=student.pk)
    instances = mark_handed_in(
        TaskInstance.objects.filter(
            student=student, date__lte=today, date__gt=today - timedelta(days=RECENT_TASK_DAYS)
        )
        .select_related("task", "student")
        .order_by("-date", "task__title", "id")
    )
    days: dict[date, list[TaskInstance]] = {}
    for inst in instances:
        days.setdefault(inst.date, []).append(inst)
    return ChildPage(
        upcoming=list(Lesson.objects.upcoming_for_students(only)[:UPCOMING_ON_CHILD_PAGE]),
        attendance=list(Attendance.objects.history_for_students(only)[:20]),
        tasks_by_day=list(days.items()),
        homework=queries.student_homework(student.pk, limit=10),
    )
