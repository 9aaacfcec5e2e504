"""Enqueue background jobs. (Interim version: the Jobs issue adds the dispatch-key guard.)"""

from typing import Any

from django.db import transaction
from django.tasks import Task


def dispatch(task: Task, *args: Any, key: str | None = None, **kwargs: Any) -> None:
    """Enqueue `task` when the current transaction commits."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
