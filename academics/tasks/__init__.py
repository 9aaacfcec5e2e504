"""Academic tasks (models, services, views) and the app's background jobs.

The jobs live here, not in a module of their own: the scheduler imports every app's `tasks`
module, and a queued job names its function by that path (`academics.tasks.<job>`), so jobs
queued before the move still run. Their imports sit inside the functions because this module
loads while the app's models register (academics/models.py imports academics.tasks.models).
Thin: dates in, one service call, safe to run twice.
"""

from datetime import date

from django.tasks import task

from jobs.periodic import register_periodic


@task
def generate_task_instances_job(day: str | None = None) -> int:
    """Today's task instances (the scheduler runs it just after local midnight and at start)."""
    from academics.tasks.services import generate_task_instances

    return generate_task_instances(day=date.fromisoformat(day) if day else None).created


@task
def expand_lesson_series_job() -> int:
    """Keep every weekly series expanded to its bounded horizon."""
    from academics.lessons.services import series_expand_all

    return series_expand_all()


register_periodic(
    "academics.generate_task_instances", "5 0 * * *", generate_task_instances_job, run_at_start=True
)
register_periodic("academics.expand_lesson_series", "15 0 * * *", expand_lesson_series_job, run_at_start=True)
