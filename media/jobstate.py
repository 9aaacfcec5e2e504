"""The one place media talks to the job queue: dispatch the optimise job once per item, and
read the job state the Media page derives "queued" / "failed: reason" from.

Against the jobs app's contract (issue 5): ``jobs.dispatch.dispatch(task, *args, key=...)``
returns ``Dispatched(job_id, created)`` and refuses a second active job with the same key
(unique constraint); ``jobs.queries.jobs_for_keys(keys)`` gives ``{key: JobSummary}`` in one
query. Until that app is merged (main has an interim ``dispatch`` returning None), the
fallback below enqueues inside the caller's transaction after checking, under the caller's
row lock on the item, that no job for the item is ready or running; and reads
django-tasks-db's table directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

OPTIMISE_TASK_PATH = "media.tasks.process_video_proof"

try:  # the jobs app (issue 5)
    from jobs.queries import jobs_for_keys as _jobs_for_keys
except ImportError:  # pragma: no cover - depends on which branch is merged
    _jobs_for_keys = None


@dataclass(frozen=True)
class JobState:
    status: str  # "queued" (ready or running) | "failed" | "done"
    error: str = ""
    job_id: str = ""


def optimise_key(item_id: int) -> str:
    return f"media:{item_id}"


def dispatch_optimise(item_id: int) -> tuple[str, bool]:
    """Enqueue ProcessVideoProof for `item_id` unless one is active: (job_id, created).

    Call inside a transaction that holds a lock on the item row (the services do).
    """
    from media.tasks import process_video_proof

    if _jobs_for_keys is not None:
        from jobs.dispatch import dispatch

        result: Any = dispatch(process_video_proof, item_id, key=optimise_key(item_id))  # type: ignore[func-returns-value]
        return str(result.job_id), bool(result.created)
    assert transaction.get_connection().in_atomic_block, "dispatch_optimise needs a transaction"
    active = _active_interim(item_id)
    if active is not None:
        return active, False
    enqueued = process_video_proof.enqueue(item_id)
    return str(enqueued.id), True


def states_for(item_ids: list[int]) -> dict[int, JobState]:
    """The latest optimise job state per item, in one query."""
    if not item_ids:
        return {}
    if _jobs_for_keys is not None:
        summaries = _jobs_for_keys([optimise_key(i) for i in item_ids])
        states: dict[int, JobState] = {}
        for item_id in item_ids:
            summary = summaries.get(optimise_key(item_id))
            if summary is None:
                continue
            status = str(getattr(summary, "status", "")).lower()
            error = str(getattr(summary, "reason", "") or getattr(summary, "error", "") or "")
            job_id = str(getattr(summary, "job_id", "") or getattr(summary, "id", "") or "")
            states[item_id] = JobState(_normalise(status), _human(error), job_id)
        return states
    return _states_interim(item_ids)


def _human(reason: str) -> str:
    """ "VideoRejected: This file ..." -> "This file ...": the person reads the message."""
    head, sep, rest = reason.partition(": ")
    return rest if sep and head.replace(".", "").isidentifier() else reason


def _normalise(status: str) -> str:
    if status in {"ready", "running", "queued", "pending", "retrying"}:
        return "queued"
    if status in {"failed", "stuck"}:
        return "failed"
    return "done"


def _interim_rows(item_ids: list[int]) -> Any:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=OPTIMISE_TASK_PATH).order_by("enqueued_at")


def _active_interim(item_id: int) -> str | None:
    for row in _interim_rows([item_id]).filter(status__in=["READY", "RUNNING"]).only("id", "args_kwargs"):
        if (row.args_kwargs or {}).get("args") == [item_id]:
            return str(row.id)
    return None


def _states_interim(item_ids: list[int]) -> dict[int, JobState]:
    wanted = set(item_ids)
    states: dict[int, JobState] = {}
    rows = _interim_rows(item_ids).only("id", "status", "args_kwargs", "traceback")
    for row in rows:  # oldest first: the latest job per item wins
        args = (row.args_kwargs or {}).get("args") or []
        if len(args) != 1 or args[0] not in wanted:
            continue
        status = _normalise(str(row.status).lower())
        error = _reason_from_traceback(row.traceback) if status == "failed" else ""
        states[args[0]] = JobState(status, error, str(row.id))
    return states


def _reason_from_traceback(traceback: str) -> str:
    last = (traceback or "").strip().splitlines()[-1:] or [""]
    return _human(last[0])
