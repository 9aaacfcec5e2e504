"""Stuck jobs: RUNNING, but their worker has stopped beating. The reaper gives up on them."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs import lifecycle
from jobs.metrics import job_finished
from jobs.models import WorkerProcess


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "JOBS_STALE_AFTER_SECONDS", 30))


def live_worker_ids(now: datetime | None = None) -> set[str]:
    cutoff = (now or timezone.now()) - stale_after()
    return set(
        WorkerProcess.objects.filter(last_heartbeat__gte=cutoff, stopped_at__isnull=True).values_list(
            "worker_id", flat=True
        )
    )


def is_stuck(worker_ids: list[str], started_at: datetime | None, live: set[str], now: datetime) -> bool:
    if started_at is not None and started_at > now - stale_after():
        return False  # just claimed: its worker may not have beaten yet
    return not worker_ids or worker_ids[-1] not in live


def running_jobs_split(now: datetime | None = None) -> tuple[dict[str, str], list[str]]:
    """({worker_id: job id} of healthy running jobs, [stuck job ids]). Two queries."""
    now = now or timezone.now()
    live = live_worker_ids(now)
    current: dict[str, str] = {}
    stuck: list[str] = []
    for job_id, worker_ids, started_at in DBTaskResult.objects.running().values_list(
        "id", "worker_ids", "started_at"
    ):
        if is_stuck(worker_ids, started_at, live, now):
            stuck.append(str(job_id))
        elif worker_ids:
            current[worker_ids[-1]] = str(job_id)
    return current, stuck


@dataclass(frozen=True)
class Reaped:
    job_id: str
    worker_id: str
    retry_job_id: str | None


def reap_stuck_jobs(*, now: datetime | None = None) -> list[Reaped]:
    """Mark stuck jobs failed ("worker lost"), retrying those whose task has a retry policy."""
    now = now or timezone.now()
    lost_workers = WorkerProcess.objects.filter(
        stopped_at__isnull=True, last_heartbeat__lt=now - stale_after()
    )
    lost_workers.update(stopped_at=now, stop_reason="lost: no heartbeat")
    _, stuck = running_jobs_split(now)
    reaped = []
    rows: dict[str, Any] = {
        str(pk): (ids, task_path)
        for pk, ids, task_path in DBTaskResult.objects.filter(pk__in=stuck).values_list(
            "id", "worker_ids", "task_path"
        )
    }
    for job_id in stuck:
        worker_ids, task_path = rows.get(job_id) or ([], "")
        worker_id = worker_ids[-1] if worker_ids else "?"
        worker = WorkerProcess.objects.filter(worker_id=worker_id).first()
        where = (
            f"worker {worker.host}:{worker.pid}, last heartbeat {worker.last_heartbeat:%Y-%m-%d %H:%M:%S} UTC"
            if worker
            else f"worker {worker_id} is not registered"
        )
        retry_id = lifecycle.record_failure(
            job_id,
            lifecycle.Failure(
                exception_class_path=lifecycle.WORKER_LOST_CLASS,
                traceback=f"WorkerLost: worker lost ({where})\n",
                reason="worker lost",
                worker_lost=True,
            ),
        )
        job_finished(task_path, "worker_lost")
        reaped.append(Reaped(job_id=job_id, worker_id=worker_id, retry_job_id=retry_id))
    return reaped
