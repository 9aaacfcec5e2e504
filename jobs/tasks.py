"""The jobs app's own periodic jobs: the reaper and pruning. Thin: they call services."""

from django.conf import settings
from django.tasks import task

from jobs.periodic import register_periodic


@task
def reap_stuck_jobs() -> int:
    from jobs.reaper import reap_stuck_jobs as reap

    return len(reap())


@task
def prune_jobs() -> int:
    from jobs.services import jobs_prune

    days = getattr(settings, "JOBS_PRUNE_DAYS", 30)
    return jobs_prune(actor="scheduler", days=days, apply=True).jobs


register_periodic("jobs.reap", "* * * * *", reap_stuck_jobs)
register_periodic("jobs.prune", "30 3 * * *", prune_jobs)
