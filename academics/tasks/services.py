"""Writes to tasks and task instances. Future instances come only from `generate_task_instances`."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from academics.models import Student
from academics.recording import set_people_and_record
from academics.tasks.models import InstanceStatus, Recurrence, Task, TaskInstance
from academy.errors import DomainError
from accounts.models import User
from audit.services import Actor, record_event

BATCH_SIZE = 5000
MAX_BACKFILL_DAYS = 31
TASK_FIELDS = ("title", "instructions", "recurrence", "start_date", "end_date")


def _first_instance_date(task: Task, today: date) -> date | None:
    """The one day created with the task: its start date, or today if the start is past.
    A recurring task that starts in the future gets nothing now: the scheduler makes that day's
    instance on the day (only the scheduler creates future instances of recurring tasks)."""
    day = max(task.start_date, today)
    if task.is_recurring and day > today:
        return None
    return day if task.matches(day) else None


def _ensure_instances(task: Task, student_ids: Iterable[int], day: date) -> None:
    TaskInstance.objects.bulk_create(
        [TaskInstance(task=task, student_id=sid, date=day) for sid in student_ids], ignore_conflicts=True
    )


@transaction.atomic
def task_create(
    *,
    actor: User,
    title: str,
    students: Iterable[Student],
    start_date: date,
    recurrence: str = Recurrence.NONE,
    instructions: str = "",
    end_date: date | None = None,
    today: date | None = None,
) -> Task:
    """Create a task and exactly one instance per assigned student (see _first_instance_date)."""
    if recurrence not in Recurrence.values:
        raise DomainError("task_invalid_recurrence", "Choose one-off, daily or weekdays only.")
    if end_date and end_date < start_date:
        raise DomainError("task_invalid_dates", "The end date must not be before the start date.")
    task = Task.objects.create(
        title=title,
        instructions=instructions,
        recurrence=recurrence,
        start_date=start_date,
        end_date=end_date,
    )
    day = _first_instance_date(task, today or timezone.localdate())
    set_people_and_record(
        task, actor=actor, action="task.create", people="students", chosen=students, first_instance=day
    )
    if day is not None:
        _ensure_instances(task, task.students.values_list("pk", flat=True), day)
    return task


@transaction.atomic
def task_update(
    *,
    actor: User,
    task: Task,
    students: Iterable[Student] | None = None,
    today: date | None = None,
    **changes: Any,
) -> Task:
    unknown = set(changes) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown task fields: {sorted(unknown)}")
    before = task.snapshot()
    for name, value in changes.items():
        setattr(task, name, value)
    if task.end_date and task.end_date < task.start_date:
        raise DomainError("task_invalid_dates", "The end date must not be before the start date.")
    task.save()
    if students is not None:
        old = set(task.students.values_list("pk", flat=True))
        task.students.set(students)
        added = set(task.students.values_list("pk", flat=True)) - old
        day = _first_instance_date(task, today or timezone.localdate())
        if added and day is not None:
            _ensure_instances(task, added, day)  # a newly assigned student gets today's instance
    record_event(actor=actor, action="task.update", entity=task, before=before, after=task.snapshot())
    return task


@transaction.atomic
def task_set_active(*, actor: User, task: Task, active: bool) -> Task:
    if task.is_active == active:
        return task
    before = task.snapshot()
    task.is_active = active
    task.save(update_fields=["is_active"])
    action = "task.activate" if active else "task.deactivate"
    record_event(actor=actor, action=action, entity=task, before=before, after=task.snapshot())
    return task


@transaction.atomic
def task_instance_set_status(*, actor: User, instance: TaskInstance, status: str) -> TaskInstance:
    if status not in InstanceStatus.values:
        raise DomainError("task_invalid_status", "Choose to do, done or missed.")
    if instance.date > timezone.localdate():
        raise DomainError("task_instance_future", "A task for a future day cannot be marked yet.")
    before = {"status": instance.status, "completed_at": instance.completed_at}
    instance.status = status
    instance.completed_at = timezone.now() if status == InstanceStatus.DONE else None
    instance.save(update_fields=["status", "completed_at"])
    record_event(
        actor=actor,
        action="task_instance.status",
        entity=instance,
        before=before,
        after={"status": instance.status, "completed_at": instance.completed_at},
    )
    return instance


# --- the scheduler's generator --------------------------------------------------------------


@dataclass
class GenerationResult:
    dates: list[date]
    due: int = 0
    created: int = 0


def _due_pairs(day: date, batch_size: int) -> Iterator[list[tuple[int, int, int]]]:
    """(link id, task id, student id) of every pair due on `day`, in keyset pages of link ids.

    Keyset pages rather than one server-side cursor: each page is a short indexed query, so
    memory is one page and the plan does not depend on fresh table statistics."""
    rules = [Recurrence.DAILY] + ([Recurrence.WEEKDAYS] if day.weekday() < 5 else [])
    links = (
        Task.students.through.objects.filter(
            task__is_active=True,
            task__recurrence__in=rules,
            task__start_date__lte=day,
            student__archived_at__isnull=True,
        )
        .filter(Q(task__end_date__isnull=True) | Q(task__end_date__gte=day))
        .order_by("pk")
        .values_list("pk", "task_id", "student_id")
    )
    last = 0
    while page := list(links.filter(pk__gt=last)[:batch_size]):
        last = page[-1][0]
        yield page


def generate_task_instances(
    *, day: date | None = None, backfill_days: int = 0, batch_size: int = BATCH_SIZE
) -> GenerationResult:
    """Create the instances due on the local `day` (default today) for every active recurring
    task, and for up to `backfill_days` days before it when asked. Never for a future date.

    Idempotent and safe with two schedulers: the (task, student, date) unique key refuses
    duplicates and the bulk insert ignores those conflicts, so a rerun creates nothing."""
    today = timezone.localdate()
    day = day or today
    if day > today:
        raise DomainError("future_date", f"Instances are never generated for a future date ({day}).")
    if not 0 <= backfill_days <= MAX_BACKFILL_DAYS:
        raise DomainError("backfill_out_of_range", f"Back-fill between 0 and {MAX_BACKFILL_DAYS} days.")
    result = GenerationResult(dates=[day - timedelta(days=n) for n in range(backfill_days, -1, -1)])
    for d in result.dates:
        before = TaskInstance.objects.filter(date=d).count()
        for page in _due_pairs(d, batch_size):
            result.due += len(page)
            TaskInstance.objects.bulk_create(
                [TaskInstance(task_id=t, student_id=s, date=d) for _, t, s in page], ignore_conflicts=True
            )
        # ignore_conflicts hides per-row outcomes; the difference in rows is the truth.
        result.created += TaskInstance.objects.filter(date=d).count() - before
    return result


# --- cleanup of wrongly pre-generated instances ---------------------------------------------


PER_TASK_AUDIT_LIMIT = 1000


@dataclass
class PruneResult:
    total: int = 0
    tasks: int = 0
    first: date | None = None
    last: date | None = None
    deleted: int = 0


def prune_summary(*, today: date | None = None) -> PruneResult:
    """Totals over what the cleanup would delete, in one aggregate query."""
    agg = TaskInstance.objects.prunable(today or timezone.localdate()).aggregate(
        total=Count("id"), tasks=Count("task", distinct=True), first=Min("date"), last=Max("date")
    )
    return PruneResult(**agg)


def prune_rows(*, today: date | None = None) -> Iterator[Any]:
    """One row per task (task, title, students, first and last date, count), streamed: with
    100,000 tasks the table is never held in memory."""
    return (
        TaskInstance.objects.prunable(today or timezone.localdate())
        .values("task_id", "task__title")
        .annotate(
            students=Count("student", distinct=True), first=Min("date"), last=Max("date"), count=Count("id")
        )
        .order_by("task_id")
        .iterator(chunk_size=2000)
    )


@transaction.atomic
def task_instances_prune(
    *,
    actor: Actor,
    today: date | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> PruneResult:
    """Delete future, untouched instances of recurring tasks, in keyset batches of ids (memory
    stays at one batch whatever the total), in one transaction with one audit event holding
    the counts (per task for the first PER_TASK_AUDIT_LIMIT tasks)."""
    today = today or timezone.localdate()
    result = prune_summary(today=today)
    per_task = [
        {"task": r["task_id"], "count": r["count"]}
        for r in islice(prune_rows(today=today), PER_TASK_AUDIT_LIMIT)
    ]
    prunable = TaskInstance.objects.prunable(today).order_by("pk")
    last = 0
    while ids := list(prunable.filter(pk__gt=last).values_list("pk", flat=True)[:batch_size]):
        last = ids[-1]
        result.deleted += TaskInstance.objects.filter(pk__in=ids).delete()[0]
        if progress:
            progress(result.deleted, result.total)
    if result.deleted:
        record_event(
            actor=actor,
            action="task_instance.prune",
            kind="task_instance",
            entity_id="future",
            after={
                "today": today,
                "deleted": result.deleted,
                "tasks": result.tasks,
                "first": result.first,
                "last": result.last,
                "per_task": per_task,
                "per_task_truncated": result.tasks > len(per_task),
            },
        )
    return result
