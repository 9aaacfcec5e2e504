"""Retry policies, declared per task.

    from jobs.retry import retry_policy

    @retry_policy(max_attempts=5, backoff_base=2.0, transient=(TransientStorageError,))
    @task
    def process_video_proof(media_id: int) -> None: ...

or, for a task defined elsewhere: `retry_policy(process_video_proof, max_attempts=5, ...)`.

A failed attempt is retried when its exception is an instance of one of `transient` and the
attempt number is below `max_attempts`. A lost database connection (django.db's OperationalError
or InterfaceError: a failover, a restart, pg_terminate_backend) is transient for every task with
a policy, whatever its `transient`: the job did not fail, its database went away under it. A
job whose worker was lost (killed, machine gone) is
retried whenever its task has a policy, up to `max_attempts`. Without a policy a task is never
retried. The delay before attempt n+1 is backoff_base * 2**(n-1) seconds, capped at backoff_max,
times a random factor in [1 - jitter, 1] so that failed siblings do not retry in lockstep.
"""

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, overload

from django.tasks import Task


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_base: float = 2.0
    backoff_max: float = 600.0
    jitter: float = 0.5
    transient: tuple[type[BaseException], ...] = ()

    def delay(self, attempt: int) -> float:
        """Seconds to wait before the attempt after `attempt` (1-based)."""
        raw: float = min(self.backoff_max, self.backoff_base * 2 ** max(0, attempt - 1))
        return raw * random.uniform(1 - self.jitter, 1)

    def is_transient(self, exception_mro: Iterable[str]) -> bool:
        """`exception_mro`: dotted paths of the exception's classes (the child sends them)."""
        names = set(exception_mro)
        if names & CONNECTION_LOST:
            return True
        return any(f"{cls.__module__}.{cls.__qualname__}" in names for cls in self.transient)

    def allows_attempt(self, attempt: int) -> bool:
        return attempt < self.max_attempts


# Dotted paths as the job process reports them (its exception's MRO).
CONNECTION_LOST = frozenset({"django.db.utils.OperationalError", "django.db.utils.InterfaceError"})

POLICIES: dict[str, RetryPolicy] = {}


def _register(task: Task[Any, Any], policy: RetryPolicy) -> Task[Any, Any]:
    if not isinstance(task, Task):
        raise TypeError(f"retry_policy expects a django.tasks Task, got {task!r}")
    if policy.max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    POLICIES[task.module_path] = policy
    return task


@overload
def retry_policy(task: Task[Any, Any], **options: Any) -> Task[Any, Any]: ...
@overload
def retry_policy(task: None = None, **options: Any) -> Callable[[Task[Any, Any]], Task[Any, Any]]: ...
def retry_policy(
    task: Task[Any, Any] | None = None, **options: Any
) -> Task[Any, Any] | Callable[[Task[Any, Any]], Task[Any, Any]]:
    """Declare how `task` is retried (see the module docstring). Returns the task unchanged."""
    if "transient" in options:
        options["transient"] = tuple(options["transient"])
    policy = RetryPolicy(**options)
    if task is None:
        return lambda t: _register(t, policy)
    return _register(task, policy)


def policy_for(task_path: str) -> RetryPolicy | None:
    return POLICIES.get(task_path)
