"""The jobs app's own periodic jobs: the reaper and pruning. Thin: they call services."""

from django.conf import settings
from django.tasks import task

from jobs.periodic import register_periodic


# Ahead of every other job: the reaper is what puts a lost worker's jobs back in the queue, so
# waiting in that queue behind video jobs would delay exactly the recovery it exists for (the
# soak measured 38 s of such waiting after a worker was killed, on top of its period).
@task(priority=100)
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
