"""Demo students, lessons (one with attendance), a weekly series and a daily task. Idempotent."""

from datetime import datetime, time, timedelta
from typing import TextIO

from django.utils import timezone

from academics.lessons import deletion
from academics.lessons import services as lessons
from academics.lessons.models import Lesson, LessonSeries
from academics.models import Student
from academics.tasks import services as task_services
from academics.tasks.models import Recurrence, Task
from accounts.models import User

DEMO_STUDENTS = [
    ("Alice", "Andrews", "Year 5", "parent@demo.academy"),
    ("Ben", "Andrews", "Year 3", "parent@demo.academy"),
    ("Chloe", "Brown", "Year 8", "parent2@demo.academy"),
    ("Daniel", "Brown", "Year 10", "parent2@demo.academy"),
    ("Ella", "Clarke", "Year 6", "parent2@demo.academy"),
]


def seed(stdout: TextIO) -> None:
    for first, last, year, parent_email in DEMO_STUDENTS:
        student, created = Student.objects.get_or_create(
            first_name=first, last_name=last, defaults={"school_year": year}
        )
        student.customers.add(User.objects.get(email=parent_email))
        if created:
            stdout.write(f"  created student {student.full_name}\n")
    _seed_lessons(stdout)
    _seed_history(stdout)


def _seed_lessons(stdout: TextIO) -> None:
    admin = User.objects.get(email="admin@demo.academy")
    alice, ben, chloe = (Student.objects.get(first_name=n) for n in ("Alice", "Ben", "Chloe"))
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    if not Lesson.objects.filter(subject="Maths (demo)").exists():
        start = datetime.combine(today - timedelta(days=1), time(16, 0), tz)
        past = lessons.lesson_create(
            actor=admin, subject="Maths (demo)", tutor="Tom Tutor", location="Room 1",
            starts_at=start, ends_at=start + timedelta(hours=1), students=[alice, ben],
        )  # fmt: skip
        lessons.attendance_mark(actor=admin, lesson=past, student=alice, status="present")
        lessons.attendance_mark(actor=admin, lesson=past, student=ben, status="late", note="Bus was late")
        start = datetime.combine(today + timedelta(days=2), time(17, 0), tz)
        lessons.lesson_create(
            actor=admin, subject="English (demo)", tutor="Erin Tutor", location="https://meet.example/english",
            starts_at=start, ends_at=start + timedelta(hours=1), students=[chloe],
        )  # fmt: skip
        stdout.write("  created demo lessons\n")
    if not LessonSeries.objects.filter(subject="Piano (demo)").exists():
        lessons.series_create(
            actor=admin, subject="Piano (demo)", tutor="Pat Pianist", location="Music room",
            weekdays=[0, 3], start_date=today, start_time=time(15, 30), end_time=time(16, 15),
            students=[alice], until_date=today + timedelta(weeks=12),
        )  # fmt: skip
        stdout.write("  created weekly piano series\n")
    if not Task.objects.filter(title="Read for 20 minutes (demo)").exists():
        task_services.task_create(
            actor=admin, title="Read for 20 minutes (demo)", instructions="Any book; note the title.",
            students=[alice, ben, chloe], start_date=today, recurrence=Recurrence.DAILY,
        )  # fmt: skip
        stdout.write("  created daily reading task\n")


def _seed_history(stdout: TextIO) -> None:
    """What a tutor meets on a normal day: weeks of attendance history, a lesson this morning and
    one last week still needing attendance, and a deleted lesson that can be restored."""
    admin = User.objects.get(email="admin@demo.academy")
    chloe, daniel, ella = (Student.objects.get(first_name=n) for n in ("Chloe", "Daniel", "Ella"))
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    if Lesson.objects.filter(subject="Chemistry (demo)").exists():
        return
    history = [
        ("present", "present", "late"),
        ("present", "absent", "present"),
        ("excused", "present", "present"),
    ]
    for weeks_ago, statuses in enumerate(history, start=1):
        start = datetime.combine(today - timedelta(weeks=weeks_ago), time(15, 30), tz)
        lesson = lessons.lesson_create(
            actor=admin, subject="Chemistry (demo)", tutor="Dr Carla Chem", location="Lab 2",
            starts_at=start, ends_at=start + timedelta(hours=1), students=[chloe, daniel, ella],
        )  # fmt: skip
        for student, status in zip((chloe, daniel, ella), statuses, strict=True):
            note = "Doctor's appointment" if status == "excused" else ""
            lessons.attendance_mark(actor=admin, lesson=lesson, student=student, status=status, note=note)
    # Still needing attendance: one earlier today (or yesterday evening, before 10:00), one last week.
    now = timezone.localtime()
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    lessons.lesson_create(
        actor=admin, subject="Chemistry (demo)", tutor="Dr Carla Chem", location="Lab 2",
        starts_at=start, ends_at=start + timedelta(hours=1), students=[chloe, daniel, ella],
    )  # fmt: skip
    start = datetime.combine(today - timedelta(days=4), time(10, 0), tz)
    lessons.lesson_create(
        actor=admin, subject="Biology (demo)", tutor="Dr Carla Chem", location="Lab 1",
        starts_at=start, ends_at=start + timedelta(hours=1), students=[daniel, ella],
    )  # fmt: skip
    # Deleted by mistake, with its attendance: Lessons > Recently deleted can restore both.
    start = datetime.combine(today - timedelta(days=2), time(14, 0), tz)
    art = lessons.lesson_create(
        actor=admin, subject="Art (demo)", tutor="Ari Artist", location="Studio",
        starts_at=start, ends_at=start + timedelta(hours=1), students=[chloe, ella],
    )  # fmt: skip
    lessons.attendance_mark(actor=admin, lesson=art, student=chloe, status="present")
    lessons.attendance_mark(actor=admin, lesson=art, student=ella, status="present")
    deletion.lesson_delete(actor=admin, lesson=art, scope=deletion.DeleteScope.THIS)
    stdout.write("  created attendance history, lessons needing attendance and a restorable deleted lesson\n")
