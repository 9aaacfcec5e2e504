"""The jobs benchmark's jobs (bench/jobs.py), importable by worker processes as `bench.sample_jobs`."""

import time

from django.tasks import task


@task
def noop() -> None:
    """Measures the queue, not the work."""
    return None


@task
def nap(seconds: float = 0.05) -> None:
    """Holds a worker for a while."""
    time.sleep(seconds)
