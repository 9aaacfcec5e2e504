"""Academic tasks and their per-day instances."""

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from academics.students.models import Student


class Recurrence(models.TextChoices):
    NONE = "none", "One-off"
    DAILY = "daily", "Daily"
    WEEKDAYS = "weekdays", "Weekdays only"


RECURRING = (Recurrence.DAILY, Recurrence.WEEKDAYS)


class TaskQuerySet(models.QuerySet["Task"]):
    def for_admin_list(self) -> "TaskQuerySet":
        return self.prefetch_related("students").order_by("-is_active", "title", "id")

    def search(self, text: str) -> "TaskQuerySet":
        return self.filter(Q(title__icontains=text) | Q(instructions__icontains=text)) if text else self

    def assignments_for(self, students: "Iterable[Student | int]") -> list[tuple[int, str, int]]:
        """(task id, title, student id) of the active tasks assigned to these students: the
        homework form's task picker. One query."""
        links = Task.students.through.objects.filter(student__in=students, task__is_active=True)
        return list(
            links.order_by("task__title", "task_id").values_list("task_id", "task__title", "student_id")
        )

    def due_on(self, day: date) -> "TaskQuerySet":
        """Active recurring tasks whose rule yields an instance on this local date.
        (The generator spells the same rule as joins from the task-student links.)"""
        rules = [Recurrence.DAILY] + ([Recurrence.WEEKDAYS] if day.weekday() < 5 else [])
        return self.filter(is_active=True, recurrence__in=rules, start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class Task(models.Model):
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    students = models.ManyToManyField("academics.Student", related_name="tasks")
    recurrence = models.CharField(max_length=10, choices=Recurrence.choices, default=Recurrence.NONE)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        # The admin list's order (active first, then by title): its first page without a sort.
        indexes = [models.Index(fields=["-is_active", "title", "id"], name="task_list_order")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_recurring(self) -> bool:
        return self.recurrence in RECURRING

    def matches(self, day: date) -> bool:
        if not self.is_active or day < self.start_date or (self.end_date and day > self.end_date):
            return False
        return self.recurrence != Recurrence.WEEKDAYS or day.weekday() < 5

    def snapshot(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "instructions": self.instructions,
            "students": sorted(s.pk for s in self.students.all()),
            "recurrence": self.recurrence,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "is_active": self.is_active,
        }


class InstanceStatus(models.TextChoices):
    TODO = "todo", "To do"
    DONE = "done", "Done"
    MISSED = "missed", "Missed"


class TaskInstanceQuerySet(models.QuerySet["TaskInstance"]):
    def prunable(self, today: date) -> "TaskInstanceQuerySet":
        """Wrongly pre-generated instances: recurring tasks, after today, never touched."""
        return self.filter(
            task__recurrence__in=RECURRING,
            date__gt=today,
            status=InstanceStatus.TODO,
            completed_at__isnull=True,
        )

    def for_portal_day(self, students: "Iterable[Student | int]", day: date) -> "TaskInstanceQuerySet":
        return (
            self.filter(student__in=students, date=day)
            .select_related("task", "student")
            .order_by("student__last_name", "student__first_name", "task__title", "id")
        )

    def for_task_calendar(self, task: Task, start: date, end: date) -> "TaskInstanceQuerySet":
        return (
            self.filter(task=task, date__gte=start, date__lte=end)
            .select_related("student")
            .order_by("date", "student__last_name", "id")
        )


class TaskInstance(models.Model):
    # Set by mark_handed_in (academics.tasks.portal_hooks) for the portal's templates.
    handed_in: bool
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="instances")
    student = models.ForeignKey("academics.Student", on_delete=models.PROTECT, related_name="task_instances")
    date = models.DateField()
    status = models.CharField(max_length=10, choices=InstanceStatus.choices, default=InstanceStatus.TODO)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TaskInstanceQuerySet.as_manager()

    class Meta:
        constraints = [
            # One instance per task, student and local day: the scheduler's idempotency rests on it.
            models.UniqueConstraint(fields=["task", "student", "date"], name="task_instance_unique_day")
        ]
        indexes = [models.Index(fields=["date", "status"])]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.student_id}/{self.date}: {self.status}"
