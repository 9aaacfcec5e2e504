"""Enqueue background jobs, at most one active job per dispatch key.

`dispatch(task, *args, key="media:42", **kwargs)` inserts the job in the caller's transaction
(the queue is this database, so a worker sees the job when the caller commits). With a key, a
DispatchKey row is inserted first; its unique index is what refuses a second active job with the
same key, on SQLite and PostgreSQL alike (the insert then does nothing; nothing fails). The key
is released when the job finishes.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.tasks import Task
from django.tasks.signals import task_enqueued
from django.utils.json import normalize_json
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from academy.request_id import get_request_id
from jobs.models import Cause, DispatchKey, JobInfo

ACTIVE = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


@dataclass(frozen=True)
class Dispatched:
    job_id: str
    created: bool


def _current_request_id() -> str:
    request_id = get_request_id()
    return "" if request_id == "-" else request_id


def create_job(
    *,
    task_path: str,
    args_kwargs: dict[str, Any],
    queue_name: str,
    priority: int,
    backend_name: str,
    run_after: Any = None,
    key: str = "",
    request_id: str = "",
    attempt: int = 1,
    cause: str = Cause.DISPATCH,
    previous_id: Any = None,
    job_id: uuid.UUID | None = None,
) -> DBTaskResult[Any, Any]:
    """Insert a job row and its JobInfo: the one place a job row is made (dispatch, retry and
    re-run). Callers hold the dispatch key (if any) themselves, under `job_id` if they give one."""
    job = DBTaskResult.objects.create(
        id=job_id or uuid.uuid4(),
        args_kwargs=args_kwargs,
        priority=priority,
        task_path=task_path,
        queue_name=queue_name,
        run_after=run_after or get_date_max(),
        backend_name=backend_name,
    )
    JobInfo.objects.create(
        job=job,
        key=key,
        request_id=request_id,
        attempt=attempt,
        cause=cause,
        previous_id=previous_id,
    )
    return job


def claim_key(key: str, job_id: uuid.UUID) -> str | None:
    """Hold `key` for `job_id`. Returns None when held, or the id of the active job holding it.

    The insert does nothing when the key is taken (ON CONFLICT DO NOTHING; INSERT OR IGNORE on
    SQLite): a key already held is an answer, not a failed statement. With a plain INSERT each
    such claim was a unique violation rolled back to a savepoint and an ERROR in PostgreSQL's log,
    e.g. every five seconds in a burst of reports, when the second web process asked for the
    grouping run the first had asked for (incidents/tasks.py). A key left by a job that finished
    without releasing it (e.g. run by a plain db_worker) is stale: it is removed and the claim
    tried again.
    """
    for _ in range(5):
        DispatchKey.objects.bulk_create([DispatchKey(key=key, job_id=job_id)], ignore_conflicts=True)
        holder_id = DispatchKey.objects.filter(key=key).values_list("job_id", flat=True).first()
        if holder_id is None:
            continue  # released between our insert and our read; try again
        if holder_id == job_id:
            return None
        status = DBTaskResult.objects.filter(pk=holder_id).values_list("status", flat=True).first()
        if status in ACTIVE:
            return str(holder_id)
        DispatchKey.objects.filter(key=key, job_id=holder_id).delete()
    raise IntegrityError(f"could not claim dispatch key {key!r}")


def dispatch(task: Task[Any, Any], *args: Any, key: str | None = None, **kwargs: Any) -> Dispatched:
    """Enqueue `task(*args, **kwargs)` in the current transaction, unless `key` is active.

    Returns Dispatched(job_id, created); created is False when a ready or running job with the
    same key exists, and job_id is then that job's id. The current request id travels with the
    job: the worker runs it bound to that id and the job page shows it.
    """
    backend = task.get_backend()
    backend.validate_task(task)
    job_id = uuid.uuid4()
    with transaction.atomic():
        if key:
            existing = claim_key(key, job_id)
            if existing is not None:
                return Dispatched(job_id=existing, created=False)
        job = create_job(
            job_id=job_id,
            args_kwargs={"args": normalize_json(args), "kwargs": normalize_json(kwargs)},
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=backend.alias,
            key=key or "",
            request_id=_current_request_id(),
        )
    task_enqueued.send(type(backend), task_result=job.task_result)
    return Dispatched(job_id=str(job.id), created=True)
