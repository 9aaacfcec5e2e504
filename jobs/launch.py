"""How the worker starts its job processes: through the fork server on Linux (the fast path,
jobs/forkserver.py), by forking each one itself elsewhere (jobs/job_process.py, portable).

Both give the worker the same thing: a job process's pid (it leads its own process group, which
the worker measures and kills) and the pipe its result comes back on, then its exit code."""

import os
from typing import Any, NamedTuple, Protocol

from django_tasks_db.models import DBTaskResult

from jobs import job_process
from jobs.forkserver import ForkServer

FAST_PATH_AVAILABLE = hasattr(os, "pidfd_open")  # Linux 5.3+


class Launched(NamedTuple):
    pid: int
    result_fd: int


class Launcher(Protocol):
    def start(self, job: DBTaskResult[Any, Any]) -> Launched: ...

    def exit_code(self, pid: int, timeout: float = 10.0) -> int | None:
        """-N when killed by signal N; None if unknown within timeout."""

    def forget(self, pid: int) -> None:
        """Done with it (its result is recorded): it exits on its own and is reaped later."""

    def stop(self) -> None:
        """Reap every job process still exiting (and stop what the launcher runs)."""


class ForkPerJob:
    """Portable: the worker forks each job process when it has claimed the job."""

    def __init__(self) -> None:
        self.running: dict[int, job_process.JobProcess] = {}
        self.exiting: list[job_process.JobProcess] = []

    def start(self, job: DBTaskResult[Any, Any]) -> Launched:
        process = job_process.start(job)
        self.running[process.pid] = process
        return Launched(process.pid, process.result_fd)

    def exit_code(self, pid: int, timeout: float = 10.0) -> int | None:
        return self.running[pid].exit_code(timeout)

    def forget(self, pid: int) -> None:
        self.exiting = [p for p in self.exiting if p.exit_code(timeout=0) is None]
        self.exiting.append(self.running.pop(pid))

    def stop(self) -> None:
        for process in [*self.running.values(), *self.exiting]:
            process.exit_code(timeout=10)


class ThroughForkServer:
    """Linux: spares forked ahead by the fork server (see jobs/forkserver.py for why)."""

    def __init__(self) -> None:
        self.server = ForkServer()
        self.server.ask()  # the first spare, forked while the worker polls

    def start(self, job: DBTaskResult[Any, Any]) -> Launched:
        spare = self.server.take()
        spare.send(job)
        self.server.ask(job.task_path)  # the next spare is forked while this job runs
        return Launched(spare.pid, spare.result_fd)

    def exit_code(self, pid: int, timeout: float = 10.0) -> int | None:
        """Raises ForkServerGone if the server died (taking its job processes with it)."""
        status = self.server.wait_exit(pid, timeout)
        return None if status is None else os.waitstatus_to_exitcode(status)

    def forget(self, pid: int) -> None:
        self.server.forget(pid)

    def stop(self) -> None:
        self.server.stop()


def launcher(fork_per_job: bool = False) -> Launcher:
    """The fork server where it runs (Linux), else (or if asked) a fork per job."""
    if FAST_PATH_AVAILABLE and not fork_per_job:
        return ThroughForkServer()
    return ForkPerJob()
