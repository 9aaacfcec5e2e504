"""The reaper runs before the jobs already waiting: a lost worker's job is not kept waiting
behind the backlog it is part of (found by bench/soak.py: 38 s in the queue after a kill)."""

import pytest
from django_tasks_db.models import DBTaskResult

from jobs.dispatch import dispatch
from jobs.tasks import reap_stuck_jobs
from jobs.tests import sample_tasks as t
from jobs.tests.test_worker import run_inline

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_reaper_is_claimed_before_the_jobs_waiting_ahead_of_it():
    backlog = [dispatch(t.noop).job_id for _ in range(3)]
    reaper = dispatch(reap_stuck_jobs).job_id
    run_inline()
    started = {str(pk): at for pk, at in DBTaskResult.objects.values_list("id", "started_at")}
    assert all(started[reaper] < started[job] for job in backlog)
