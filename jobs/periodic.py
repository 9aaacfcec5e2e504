"""Periodic jobs registry: apps register cron-style specs here; the scheduler runs them."""

from dataclasses import dataclass

from django.tasks import Task


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    cron: str  # five-field cron spec, evaluated in settings.TIME_ZONE
    task: Task
    run_at_start: bool = False


REGISTRY: dict[str, PeriodicJob] = {}


def register_periodic(name: str, cron: str, task: Task, *, run_at_start: bool = False) -> PeriodicJob:
    job = PeriodicJob(name=name, cron=cron, task=task, run_at_start=run_at_start)
    REGISTRY[name] = job
    return job
