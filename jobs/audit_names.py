"""How the audit log names jobs (registered in JobsConfig.ready)."""

import uuid

from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from audit import entities
from audit.entities import Entity


def task_label(task_path: str) -> str:
    """`media.tasks.process_video_proof` -> "Process video proof"."""
    return task_path.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def jobs(ids: list[str]) -> dict[str, Entity]:
    valid = []
    for job_id in ids:
        try:
            valid.append(uuid.UUID(job_id))
        except ValueError:
            continue
    rows = DBTaskResult.objects.filter(pk__in=valid).values_list("pk", "task_path")
    found = {
        str(pk): Entity(f"{task_label(path)} job {str(pk)[:8]}", reverse("jobs:detail", args=[str(pk)]))
        for pk, path in rows
    }
    # A deleted job keeps a readable name; its id may be the whole uuid or a short form.
    return {job_id: found[job_id] for job_id in ids if job_id in found}


def register() -> None:
    entities.register("job", "Job", jobs)
