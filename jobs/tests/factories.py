"""Jobs in a given state, without running a worker."""

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs.dispatch import dispatch
from jobs.models import JobInfo, WorkerProcess
from jobs.tests import sample_tasks as t


def live_worker(worker_id: str = "live-worker") -> WorkerProcess:
    now = timezone.now()
    return WorkerProcess.objects.create(
        worker_id=worker_id,
        host="box",
        pid=123,
        queues=["*"],
        memory_limit=2**29,
        effective_limit=2**29,
        started_at=now - timedelta(hours=1),
        last_heartbeat=now,
    )


def make_job(
    state: str, *, key: str | None = None, reason: str = "ValueError: x", args: tuple = ("x",)
) -> DBTaskResult:
    """state: pending, running (on a live worker), stuck, failed or succeeded."""
    job_id = dispatch(t.boom, *args, key=key).job_id
    now = timezone.now()
    fields: dict = {}
    if state == "running":
        worker = WorkerProcess.objects.filter(worker_id="live-worker").first() or live_worker()
        fields = {
            "status": "RUNNING",
            "started_at": now - timedelta(minutes=5),
            "worker_ids": [worker.worker_id],
        }
    elif state == "stuck":
        fields = {"status": "RUNNING", "started_at": now - timedelta(hours=1), "worker_ids": ["gone-worker"]}
    elif state == "failed":
        fields = {
            "status": "FAILED",
            "started_at": now,
            "finished_at": now,
            "worker_ids": ["w"],
            "exception_class_path": "builtins.ValueError",
            "traceback": "Traceback...\nValueError: x\n",
        }
        JobInfo.objects.filter(job__pk=job_id).update(reason=reason)
    elif state == "succeeded":
        fields = {"status": "SUCCESSFUL", "started_at": now, "finished_at": now, "worker_ids": ["w"]}
    if fields:
        DBTaskResult.objects.filter(pk=job_id).update(**fields)
    if state in ("failed", "succeeded"):
        from jobs.models import DispatchKey

        DispatchKey.objects.filter(job__pk=job_id).delete()
    return DBTaskResult.objects.get(pk=job_id)
