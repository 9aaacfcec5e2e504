"""Periodic jobs registry: apps register cron-style specs here; the scheduler runs them.

    register_periodic("academics.daily_instances", "5 0 * * *", generate_daily_instances)

at module level in `<app>/tasks.py` (the scheduler imports every installed app's `tasks`).
Specs are five-field cron, evaluated in settings.TIME_ZONE. The task is called without
arguments. Each period runs once, whatever the number of schedulers: see jobs.scheduler.
`run_at_start`: when the scheduler starts, also run the latest period that passed before it
started (catch-up); without it, periods missed while no scheduler ran are skipped.
"""

from dataclasses import dataclass
from typing import Any

from croniter import croniter
from django.tasks import Task


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    cron: str  # five-field cron spec, evaluated in settings.TIME_ZONE
    task: Task[Any, Any]
    run_at_start: bool = False


REGISTRY: dict[str, PeriodicJob] = {}


def register_periodic(
    name: str, cron: str, task: Task[Any, Any], *, run_at_start: bool = False
) -> PeriodicJob:
    if not croniter.is_valid(cron):
        raise ValueError(f"periodic job {name!r}: {cron!r} is not a five-field cron spec")
    if not isinstance(task, Task):
        raise TypeError(f"periodic job {name!r}: {task!r} is not a django.tasks Task")
    job = PeriodicJob(name=name, cron=cron, task=task, run_at_start=run_at_start)
    REGISTRY[name] = job
    return job
