"""How the audit log names academic entities (registered in AcademicsConfig.ready)."""

from django.urls import reverse

from academics.lessons.models import Attendance, Lesson, LessonSeries
from academics.models import Student
from academics.tasks.models import Task, TaskInstance
from audit import entities
from audit.entities import Entity, int_ids
from ui import text


def students(ids: list[str]) -> dict[str, Entity]:
    return {
        str(s.pk): Entity(s.full_name, reverse("academics:student_detail", args=[s.pk]))
        for s in Student.objects.filter(pk__in=int_ids(ids))
    }


def lessons(ids: list[str]) -> dict[str, Entity]:
    return {
        str(lesson.pk): Entity(str(lesson), reverse("academics:lesson_detail", args=[lesson.pk]))
        for lesson in Lesson.objects.filter(pk__in=int_ids(ids))
    }


def series(ids: list[str]) -> dict[str, Entity]:
    return {
        str(s.pk): Entity(f"{s.subject} with {s.tutor}, weekly")
        for s in LessonSeries.objects.filter(pk__in=int_ids(ids))
    }


def attendance(ids: list[str]) -> dict[str, Entity]:
    rows = Attendance.objects.filter(pk__in=int_ids(ids)).select_related("student", "lesson")
    return {
        str(a.pk): Entity(
            f"{a.student.full_name} at {a.lesson}", reverse("academics:lesson_detail", args=[a.lesson_id])
        )
        for a in rows
    }


def tasks(ids: list[str]) -> dict[str, Entity]:
    return {
        str(t.pk): Entity(t.title, reverse("academics:task_detail", args=[t.pk]))
        for t in Task.objects.filter(pk__in=int_ids(ids))
    }


def task_instances(ids: list[str]) -> dict[str, Entity]:
    rows = TaskInstance.objects.filter(pk__in=int_ids(ids)).select_related("task", "student")
    return {
        str(i.pk): Entity(
            f"{i.task.title} for {i.student.full_name}, {text.day(i.date)}",
            reverse("academics:task_detail", args=[i.task_id]),
        )
        for i in rows
    }


def register() -> None:
    entities.register("student", "Student", students)
    entities.register("lesson", "Lesson", lessons)
    entities.register("lessonseries", "Lesson series", series)
    entities.register("attendance", "Attendance", attendance)
    entities.register("task", "Task", tasks)
    entities.register("taskinstance", "Task for a day", task_instances)
