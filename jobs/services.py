"""Every write an admin (or the CLI) makes to jobs: re-run, delete, bulk, prune.

Each runs in one transaction with its audit event. A refusal (unknown job, wrong state) changes
nothing and is audited on its own with outcome "refused", then raised as a typed error.
"""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from academy.errors import Conflict, DomainError, NotFound, get_or_not_found
from audit.models import AuditEvent
from audit.services import Actor, record_event
from jobs import lifecycle
from jobs.dispatch import _current_request_id, claim_key, create_job
from jobs.models import Cause, JobInfo, PeriodClaim, WorkerProcess
from jobs.reaper import is_stuck, live_worker_ids

KIND = "job"


@dataclass(frozen=True)
class Rerun:
    job_id: str
    new_job_id: str
    already: bool

    @property
    def message(self) -> str:
        if self.already:
            return f"Job {self.job_id} was already re-run as job {self.new_job_id}."
        return f"Job {self.job_id} re-queued as job {self.new_job_id}."


@dataclass(frozen=True)
class Deleted:
    job_id: str
    already: bool

    @property
    def message(self) -> str:
        return f"Job {self.job_id} was already deleted." if self.already else f"Job {self.job_id} deleted."


def _parse_id(job_id: Any) -> str:
    try:
        return str(uuid.UUID(str(job_id)))
    except ValueError:
        raise NotFound("job_not_found", f"There is no job with id {str(job_id)[:64]!r}.") from None


def _not_found(job_id: str) -> NotFound:
    return NotFound("job_not_found", f"There is no job with id {job_id}.")


def _refused[T](actor: Actor, action: str, job_id: Any, call: Callable[[], T]) -> T:
    try:
        return call()
    except DomainError as exc:
        with transaction.atomic():
            record_event(
                actor=actor,
                action=action,
                kind=KIND,
                entity_id=str(job_id)[:64],
                outcome="refused",
                after={"code": exc.code, "message": exc.message},
            )
        raise


def _snapshot(job: DBTaskResult[Any, Any]) -> dict[str, Any]:
    return {
        "task_path": job.task_path,
        "status": job.status,
        "queue_name": job.queue_name,
        "args_kwargs": job.args_kwargs,
        "enqueued_at": job.enqueued_at,
        "worker_ids": job.worker_ids,
    }


def _job_is_stuck(job: DBTaskResult[Any, Any]) -> bool:
    now = timezone.now()
    return job.status == TaskResultStatus.RUNNING and is_stuck(
        job.worker_ids, job.started_at, live_worker_ids(now), now
    )


def job_rerun(*, actor: Actor, job_id: Any) -> Rerun:
    """Re-run a failed or stuck job now, once: a job that already has a successor is not re-run.

    1. Lock the job row (so two clicks serialise) and refuse an unknown job or a wrong state.
    2. A stuck job is first recorded as failed ("worker lost"), which may already retry it.
    3. Otherwise create the next attempt, inheriting the dispatch key, and audit it.
    """
    return _refused(actor, "job.rerun", job_id, lambda: _job_rerun(actor=actor, job_id=job_id))


@transaction.atomic
def _job_rerun(*, actor: Actor, job_id: Any) -> Rerun:
    job_id = _parse_id(job_id)
    job = get_or_not_found(
        DBTaskResult.objects.select_for_update(),
        "job_not_found",
        f"There is no job with id {job_id}.",
        pk=job_id,
    )
    successor = JobInfo.objects.filter(previous_id=job.pk).values_list("job_id", flat=True).first()
    if successor is not None:
        result = Rerun(job_id=job_id, new_job_id=str(successor), already=True)
        record_event(
            actor=actor,
            action="job.rerun",
            kind=KIND,
            entity_id=job_id,
            outcome="already",
            after={"new_job_id": result.new_job_id},
        )
        return result
    if _job_is_stuck(job):
        retry_id = _record_worker_lost(job)
        if retry_id is not None:
            result = Rerun(job_id=job_id, new_job_id=retry_id, already=False)
            record_event(
                actor=actor, action="job.rerun", kind=KIND, entity_id=job_id, after={"new_job_id": retry_id}
            )
            return result
    if job.status != TaskResultStatus.FAILED:
        state = {"READY": "waiting to run", "RUNNING": "running", "SUCCESSFUL": "finished successfully"}
        raise Conflict(
            "job_not_rerunnable",
            f"Only a failed or stuck job can be re-run; job {job_id} is {state.get(job.status, job.status)}.",
        )
    info, _ = JobInfo.objects.get_or_create(job=job)
    new_id = uuid.uuid4()
    if info.key:
        holder = claim_key(info.key, new_id)
        if holder is not None:
            raise Conflict(
                "job_key_busy",
                f"Another job for {info.key} is already queued or running (job {holder}); not re-run.",
            )
    new = _next_attempt(job, info, new_id)
    result = Rerun(job_id=job_id, new_job_id=str(new.pk), already=False)
    record_event(
        actor=actor, action="job.rerun", kind=KIND, entity_id=job_id, after={"new_job_id": str(new.pk)}
    )
    return result


def _record_worker_lost(job: DBTaskResult[Any, Any]) -> str | None:
    """Record a stuck job as failed ("worker lost"); the id of the retry its policy started, if any."""
    retry_id = lifecycle.record_failure(
        job.pk,
        lifecycle.Failure(
            exception_class_path=lifecycle.WORKER_LOST_CLASS,
            traceback="WorkerLost: worker lost (found stuck by an admin)\n",
            reason="worker lost",
            worker_lost=True,
        ),
    )
    job.refresh_from_db()
    return retry_id


def _next_attempt(job: DBTaskResult[Any, Any], info: JobInfo, new_id: uuid.UUID) -> DBTaskResult[Any, Any]:
    """The re-run: the same task and arguments as the next attempt, inheriting the dispatch key."""
    return create_job(
        job_id=new_id,
        args_kwargs=job.args_kwargs,
        priority=job.priority,
        task_path=job.task_path,
        queue_name=job.queue_name,
        backend_name=job.backend_name,
        key=info.key,
        request_id=_current_request_id(),
        attempt=info.attempt + 1,
        cause=Cause.RERUN,
        previous_id=job.pk,
    )


def job_delete(*, actor: Actor, job_id: Any) -> Deleted:
    """Delete a pending or stuck job. A job that has started running is refused."""
    return _refused(actor, "job.delete", job_id, lambda: _job_delete(actor=actor, job_id=job_id))


@transaction.atomic
def _job_delete(*, actor: Actor, job_id: Any) -> Deleted:
    job_id = _parse_id(job_id)
    job = DBTaskResult.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        if AuditEvent.objects.filter(
            action="job.delete", entity_kind=KIND, entity_id=job_id, outcome="ok"
        ).exists():
            record_event(actor=actor, action="job.delete", kind=KIND, entity_id=job_id, outcome="already")
            return Deleted(job_id=job_id, already=True)
        raise _not_found(job_id)
    if job.status == TaskResultStatus.RUNNING and not _job_is_stuck(job):
        raise Conflict(
            "job_running",
            f"Job {job_id} has started running, so it cannot be deleted. "
            "If its worker dies it will show as stuck, and can be deleted then.",
        )
    if job.status not in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
        raise Conflict(
            "job_finished",
            f"Job {job_id} has finished; only pending or stuck jobs are deleted (finished ones are pruned).",
        )
    snapshot = _snapshot(job)
    job.delete()
    record_event(actor=actor, action="job.delete", kind=KIND, entity_id=job_id, snapshot=snapshot)
    return Deleted(job_id=job_id, already=False)


@dataclass(frozen=True)
class BulkOutcome:
    job_id: str
    ok: bool
    message: str


def jobs_bulk(*, actor: Actor, action: str, job_ids: Iterable[Any]) -> list[BulkOutcome]:
    """Apply re-run or delete to each job; each in its own transaction with its own audit event."""
    if action not in ("rerun", "delete"):
        raise DomainError("bad_action", f"Unknown bulk action {action!r}; use rerun or delete.")
    outcomes = []
    for job_id in dict.fromkeys(str(j) for j in job_ids):
        try:
            done: Rerun | Deleted = (
                job_rerun(actor=actor, job_id=job_id)
                if action == "rerun"
                else job_delete(actor=actor, job_id=job_id)
            )
            outcomes.append(BulkOutcome(job_id=job_id, ok=True, message=done.message))
        except DomainError as exc:
            outcomes.append(BulkOutcome(job_id=job_id, ok=False, message=exc.message))
    return outcomes


@dataclass(frozen=True)
class Pruned:
    days: int
    jobs: int
    claims: int
    workers: int
    applied: bool


def jobs_prune(*, actor: Actor, days: int, apply: bool = False) -> Pruned:
    """Remove finished jobs (and old period claims and dead workers) older than `days` days.

    A dry run unless `apply`: it counts what would go.
    """
    if days < 1:
        raise DomainError("bad_days", "Prune keeps at least one day of jobs; use --days 1 or more.")
    cutoff = timezone.now() - timedelta(days=days)
    jobs = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff)
    claims = PeriodClaim.objects.filter(period__lt=cutoff)
    workers = WorkerProcess.objects.filter(stopped_at__lt=cutoff)
    counts = {"jobs": jobs.count(), "claims": claims.count(), "workers": workers.count()}
    if apply:
        with transaction.atomic():
            ids = list(jobs.values_list("id", flat=True))
            for start in range(0, len(ids), 500):
                DBTaskResult.objects.filter(pk__in=ids[start : start + 500]).delete()
            claims.delete()
            workers.delete()
            record_event(
                actor=actor,
                action="jobs.prune",
                kind="jobs",
                entity_id="prune",
                after={"days": days, **counts},
            )
    return Pruned(days=days, applied=apply, **counts)
