"""Demo jobs so the Jobs page has something to show: every tab, a worker, a day of history.

Idempotent: the demo jobs carry keys "demo:…" and are created once.
"""

import uuid
from datetime import datetime, timedelta
from typing import TextIO

from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from jobs.models import Cause, JobInfo, WorkerProcess

REAP = "jobs.tasks.reap_stuck_jobs"
PRUNE = "jobs.tasks.prune_jobs"


def _job(
    task_path: str,
    status: str,
    *,
    at: datetime,
    key: str,
    reason: str = "",
    worker: str = "",
    took: float = 0.4,
) -> None:
    fields = {}
    if status != "READY":
        fields = {"started_at": at, "worker_ids": [worker or "demo-worker-1"]}
    if status in ("SUCCESSFUL", "FAILED"):
        fields["finished_at"] = at + timedelta(seconds=took)
    if status == "FAILED":
        fields["exception_class_path"] = "builtins.RuntimeError"
        fields["traceback"] = (
            'Traceback (most recent call last):\n  File "jobs/tasks.py", line 12, in prune_jobs\n'
            f"RuntimeError: {reason}\n"
        )
    job = DBTaskResult.objects.create(
        id=uuid.uuid4(),
        args_kwargs={"args": [], "kwargs": {}},
        task_path=task_path,
        queue_name="default",
        backend_name="default",
        status=status,
        run_after=get_date_max(),
        **fields,
    )
    DBTaskResult.objects.filter(pk=job.pk).update(enqueued_at=at - timedelta(seconds=2))
    JobInfo.objects.create(job=job, key=key, request_id=uuid.uuid4().hex, reason=reason, cause=Cause.DISPATCH)


def seed(stdout: TextIO) -> None:
    if JobInfo.objects.filter(key__startswith="demo:").exists():
        return
    now = timezone.now()
    WorkerProcess.objects.create(
        worker_id="demo-worker-1",
        host="demo-host",
        pid=4242,
        queues=["default"],
        memory_limit=512 * 2**20,
        effective_limit=512 * 2**20,
        cgroup_memory_max=1024 * 2**20,
        started_at=now - timedelta(hours=3),
        last_heartbeat=now - timedelta(hours=1),
        stopped_at=now - timedelta(hours=1),
        stop_reason="stopped",
    )
    for hour in range(24):
        for n in range(hour % 5 + 1):
            _job(REAP, "SUCCESSFUL", at=now - timedelta(hours=hour, minutes=n * 7), key=f"demo:ok:{hour}:{n}")
        if hour % 6 == 2:
            _job(
                PRUNE,
                "FAILED",
                at=now - timedelta(hours=hour, minutes=30),
                key=f"demo:failed:{hour}",
                reason="RuntimeError: storage bucket unreachable",
            )
    _job(
        PRUNE,
        "FAILED",
        at=now - timedelta(minutes=20),
        key="demo:memory",
        took=12,
        reason="exceeded the worker memory limit of 512 MiB (resident 530 MiB)",
    )
    _job(REAP, "RUNNING", at=now - timedelta(hours=1, minutes=5), key="demo:stuck", worker="demo-worker-1")
    _job(REAP, "READY", at=now, key="demo:pending")
    stdout.write("  created demo jobs (every tab of Admin > Insights > Jobs)\n")
