"""Background jobs of the academics app. Thin: dates in, one service call, safe to run twice."""

from datetime import date

from django.tasks import task

from academics.lessons import series_expand_all
from academics.task_services import generate_task_instances
from jobs.periodic import register_periodic


@task
def generate_task_instances_job(day: str | None = None) -> int:
    """Today's task instances (the scheduler runs it just after local midnight and at start)."""
    return generate_task_instances(day=date.fromisoformat(day) if day else None).created


@task
def expand_lesson_series_job() -> int:
    """Keep every weekly series expanded to its bounded horizon."""
    return series_expand_all()


register_periodic(
    "academics.generate_task_instances", "5 0 * * *", generate_task_instances_job, run_at_start=True
)
register_periodic("academics.expand_lesson_series", "15 0 * * *", expand_lesson_series_job, run_at_start=True)
