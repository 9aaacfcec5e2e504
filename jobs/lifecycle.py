"""What happens when a job attempt ends: record it, release or pass on its key, retry, signal.

Used by the worker (success, exception, memory limit), by the reaper ("worker lost") and by
the re-run service. Every update of a job's status is conditional on the status it expects, so
a worker that finishes a job the reaper already gave up on changes nothing.

Signal contract: a finished attempt sends django.tasks.signals.task_finished with
sender=<backend class>, task_result=<TaskResult> (status FAILED or SUCCESSFUL, id = job id,
errors[-1].exception_class_path / .traceback for a failure), plus these extra keyword
arguments: job_id (str), attempt (int, 1-based), reason (str, one line; "" on success),
will_retry (bool), retry_job_id (str | None) and request_id (str, of the enqueuing request).
It is sent after the transaction commits, bound to the job's request id.
"""

import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.tasks.base import TASK_MAX_PRIORITY
from django.tasks.signals import task_finished
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from academy.request_id import bind_request_id
from jobs.dispatch import create_job
from jobs.models import Cause, DispatchKey, JobInfo
from jobs.retry import policy_for

logger = logging.getLogger("jobs")

MEMORY_CLASS = "jobs.errors.MemoryLimitExceeded"
WORKER_LOST_CLASS = "jobs.errors.WorkerLost"


@dataclass(frozen=True)
class Failure:
    exception_class_path: str
    traceback: str
    reason: str
    mro: tuple[str, ...] = ()
    retryable: bool = True  # False: never retried (the memory limit would be hit again)
    worker_lost: bool = False
    peak_rss: int | None = None


def record_success(job: DBTaskResult[Any, Any], return_value: Any) -> bool:
    """Mark a RUNNING job successful and release its key. False if it was no longer running.

    `job` is the row as claimed (with `info` selected), so the signal needs no extra query, and
    a job without a dispatch key is recorded with one UPDATE: a DispatchKey row exists only for a
    job whose JobInfo has that key (dispatch, retry and re-run write both in one transaction).
    """
    now = timezone.now()
    done = DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING)
    fields = {
        "status": TaskResultStatus.SUCCESSFUL,
        "finished_at": now,
        "return_value": return_value,
        "exception_class_path": "",
        "traceback": "",
    }
    holds_key = _may_hold_key(job)
    with transaction.atomic() if holds_key else contextlib.nullcontext():
        updated = done.update(**fields)
        if updated and holds_key:
            DispatchKey.objects.filter(job_id=job.pk).delete()
    if updated:
        job.status, job.finished_at, job.return_value = TaskResultStatus.SUCCESSFUL, now, return_value
        _send_finished(job.pk, attempt=None, reason="", retry_job_id=None, db_result=job)
    return bool(updated)


def _may_hold_key(job: DBTaskResult[Any, Any]) -> bool:
    """False only when `info` was loaded with the job and says it has no key (or has no row)."""
    if not DBTaskResult.info.is_cached(job):
        return True
    info = getattr(job, "info", None)
    return info is not None and bool(info.key)


def record_failure(job_id: Any, failure: Failure) -> str | None:
    """Mark a RUNNING job failed; retry it when its policy says so. Returns the retry job id.

    One transaction: the failure, the reason, the retry job (which inherits the dispatch key,
    so no duplicate can slip in between attempts) or the key's release.
    """
    retry_id: str | None = None
    with transaction.atomic():
        job = DBTaskResult.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != TaskResultStatus.RUNNING:
            return None
        now = timezone.now()
        job.status = TaskResultStatus.FAILED
        job.finished_at = now
        job.return_value = None
        job.exception_class_path = failure.exception_class_path
        job.traceback = failure.traceback
        job.save(update_fields=["status", "finished_at", "return_value", "exception_class_path", "traceback"])
        info, _ = JobInfo.objects.get_or_create(job=job)
        info.reason = failure.reason[:2000]
        info.peak_rss = failure.peak_rss
        info.save(update_fields=["reason", "peak_rss"])
        policy = policy_for(job.task_path)
        wants_retry = policy is not None and (
            failure.worker_lost or (failure.retryable and policy.is_transient(failure.mro))
        )
        if policy is not None and wants_retry and policy.allows_attempt(info.attempt):
            delay = 0.0 if failure.worker_lost else policy.delay(info.attempt)
            retry = create_job(
                task_path=job.task_path,
                args_kwargs=job.args_kwargs,
                queue_name=job.queue_name,
                # A job whose worker died had already waited its turn: its retry goes ahead of the
                # jobs waiting at its priority, not behind them (the soak's recovery after a kill
                # was mostly that wait). Its own times stay true: enqueued now.
                priority=min(job.priority + 1, TASK_MAX_PRIORITY) if failure.worker_lost else job.priority,
                backend_name=job.backend_name,
                run_after=now + timedelta(seconds=delay) if delay else None,
                key=info.key,
                request_id=info.request_id,
                attempt=info.attempt + 1,
                cause=Cause.RETRY,
                previous_id=job.pk,
            )
            retry_id = str(retry.pk)
            DispatchKey.objects.filter(job_id=job.pk).update(job_id=retry.pk)
        else:
            DispatchKey.objects.filter(job_id=job.pk).delete()
        attempt = info.attempt
        transaction.on_commit(
            lambda: _send_finished(job_id, attempt=attempt, reason=failure.reason, retry_job_id=retry_id)
        )
    return retry_id


def _send_finished(
    job_id: Any,
    *,
    attempt: int | None,
    reason: str,
    retry_job_id: str | None,
    db_result: DBTaskResult[Any, Any] | None = None,
) -> None:
    try:
        if db_result is None:
            db_result = DBTaskResult.objects.select_related("info").get(pk=job_id)
        info = getattr(db_result, "info", None)
        task_result = db_result.task_result
        sender = type(db_result.task.get_backend())
    except Exception:  # the task may no longer import; the row is recorded all the same
        logger.exception("could not build the task result of job %s for task_finished", job_id)
        return
    request_id = info.request_id if info and info.request_id else "-"
    with bind_request_id(request_id):
        task_finished.send(
            sender=sender,
            task_result=task_result,
            job_id=str(job_id),
            attempt=attempt if attempt is not None else (info.attempt if info else 1),
            reason=reason,
            will_retry=retry_job_id is not None,
            retry_job_id=retry_job_id,
            request_id=request_id,
        )
