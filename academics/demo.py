"""Demo students, lessons (one with attendance), a weekly series and a daily task. Idempotent."""

from datetime import datetime, time, timedelta
from typing import TextIO

from django.utils import timezone

from academics import lessons, task_services
from academics.lesson_models import Lesson, LessonSeries
from academics.models import Student
from academics.task_models import Recurrence, Task
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
    _seed_schedules(stdout)


def _seed_schedules(stdout: TextIO) -> None:
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
