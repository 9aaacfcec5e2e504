"""The scheduler's jobs: registered for just after local midnight and at start; thin and idempotent."""

from datetime import date

import pytest
import time_machine

from academics.tasks import expand_lesson_series_job, generate_task_instances_job
from academics.tasks import services as task_services
from academics.tasks.models import Recurrence, TaskInstance
from jobs.periodic import REGISTRY

pytestmark = pytest.mark.django_db


def test_jobs_are_registered_to_run_after_midnight_and_at_start():
    job = REGISTRY["academics.generate_task_instances"]
    assert job.cron == "5 0 * * *" and job.run_at_start
    assert job.task is generate_task_instances_job
    assert REGISTRY["academics.expand_lesson_series"].task is expand_lesson_series_job


@time_machine.travel("2026-03-10 00:05 +00:00", tick=False)
def test_generation_job_is_idempotent(admin, student):
    task_services.task_create(
        actor=admin,
        title="Read",
        students=[student],
        start_date=date(2026, 3, 1),
        recurrence=Recurrence.DAILY,
    )
    assert generate_task_instances_job.call("2026-03-09") == 1
    assert generate_task_instances_job.call("2026-03-09") == 0
    assert generate_task_instances_job.call() == 0  # today's came with the task
    assert TaskInstance.objects.count() == 2
    assert expand_lesson_series_job.call() == 0
