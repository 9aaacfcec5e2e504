"""The one place media talks to the job queue (the jobs app's contracts, jobs/README.md).

dispatch_optimise(item_id) -> (job_id, created)
    ProcessVideoProof with dispatch key "media:<id>": while a job with that key is ready,
    running or waiting for a retry, a second dispatch creates nothing (the jobs app's unique
    key). The job row is inserted in the caller's transaction; a worker sees it on commit.
states_for(item_ids) -> {item_id: JobState}
    The latest optimise job per item in one query, for the derived state on the Media page.
active() / has_failed() / refused() -> Exists
    For the outer MediaItem row: its optimise job is ready or running (the dispatch key is held);
    one of its optimise jobs failed; one was refused for its input (VideoRejected: not a readable
    video, or over the academy's limits), which trying again cannot change. The Media page filters
    and counts by state with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat

from jobs.dispatch import dispatch
from jobs.queries import jobs_for_keys, key_has_failed, key_is_active

OPTIMISE_TASK_PATH = "media.tasks.process_video_proof"
REFUSED_CLASS = "media.pipeline.VideoRejected"  # the exception class path the worker records


@dataclass(frozen=True)
class JobState:
    status: str  # "queued" (ready, running or retrying) | "failed" | "refused" | "done"
    error: str = ""
    job_id: str = ""


def optimise_key(item_id: int) -> str:
    return f"media:{item_id}"


def _outer_key() -> Concat:
    return Concat(Value("media:"), Cast(OuterRef("pk"), CharField()))  # optimise_key, in SQL


def active() -> Exists:
    return key_is_active(_outer_key())


def has_failed() -> Exists:
    return key_has_failed(_outer_key())


def refused() -> Exists:
    return key_has_failed(_outer_key(), because=REFUSED_CLASS)


def dispatch_optimise(item_id: int) -> tuple[str, bool]:
    from media.tasks import process_video_proof

    result = dispatch(process_video_proof, item_id, key=optimise_key(item_id))
    return str(result.job_id), bool(result.created)


def states_for(item_ids: list[int]) -> dict[int, JobState]:
    if not item_ids:
        return {}
    summaries = jobs_for_keys([optimise_key(i) for i in item_ids])
    states: dict[int, JobState] = {}
    for item_id in item_ids:
        summary = summaries.get(optimise_key(item_id))
        if summary is not None:
            status = _normalise(summary.status)
            if status == "failed" and summary.exception_class == REFUSED_CLASS:
                status = "refused"
            error = _human(summary.reason) if status in ("failed", "refused") else ""
            states[item_id] = JobState(status, error, summary.job_id)
    return states


def _normalise(status: str) -> str:
    status = status.upper()
    if status in {"READY", "RUNNING"}:
        return "queued"
    if status == "FAILED":
        return "failed"
    return "done"


def _human(reason: str) -> str:
    """ "VideoRejected: This file ..." -> "This file ...": a person reads the message."""
    head, sep, rest = reason.partition(": ")
    return rest if sep and head.replace(".", "").isidentifier() else (reason or "The job failed.")
