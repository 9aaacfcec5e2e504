"""Tasks the jobs benchmark runs."""

import time

from django.tasks import task


@task
def noop() -> None:
    return None


@task
def nap(seconds: float = 0.05) -> None:
    time.sleep(seconds)
