"""What deleting or re-running a job means for what it was for, in words, per task.

The jobs app runs any task and cannot know that a media job is a parent's video. The app that
owns a task registers (in its AppConfig.ready) what follows when an admin deletes or re-runs one
of its jobs; the Jobs page says it in the confirmation before anything happens."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Consequences:
    delete: str
    rerun: str


DEFAULT = Consequences(
    delete="It will not run, and nothing else is changed.",
    rerun="It runs again from the start as a new job; this one stays in the history.",
)
_by_task: dict[str, Consequences] = {}


def register(task_path: str, consequences: Consequences) -> None:
    _by_task[task_path] = consequences


def for_task(task_path: str) -> Consequences:
    return _by_task.get(task_path, DEFAULT)


def for_tasks(task_paths: set[str]) -> list[Consequences]:
    """The distinct consequences of a selection of jobs (the default once, if any job has it)."""
    return list(dict.fromkeys(for_task(p) for p in sorted(task_paths)))
