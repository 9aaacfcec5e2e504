"""4 workers on PostgreSQL, 2,000 jobs: each ran exactly once, spread over the workers."""

import time
from collections import Counter

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from jobs.dispatch import dispatch
from jobs.models import WorkerProcess
from jobs.tests import sample_tasks as t

JOBS = 2000


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_four_workers_run_two_thousand_jobs_each_exactly_once(start_worker):
    if connection.vendor != "postgresql":
        pytest.skip("many workers claim with SKIP LOCKED on PostgreSQL; SQLite runs one worker")
    with transaction.atomic():
        for n in range(JOBS):
            dispatch(t.echo, n)
    procs = [start_worker("--queues", "*", "--batch") for _ in range(4)]
    deadline = time.monotonic() + 240  # generous: CI machines are shared
    for proc in procs:
        assert proc.wait(timeout=max(1, deadline - time.monotonic())) == 0
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == JOBS
    # claim() appends the worker id, so a job run twice would carry two; results cover 0..N-1
    results = [int(v or 0) for v in DBTaskResult.objects.values_list("return_value", flat=True)]
    assert sorted(results) == list(range(JOBS))
    per_worker = Counter(w[-1] for w in DBTaskResult.objects.values_list("worker_ids", flat=True))
    assert all(len(w) == 1 for w in DBTaskResult.objects.values_list("worker_ids", flat=True))
    assert len(per_worker) == 4 and min(per_worker.values()) > JOBS / 20
    assert WorkerProcess.objects.filter(jobs_done__gt=0).count() == 4
