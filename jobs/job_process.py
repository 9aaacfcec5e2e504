"""A job process: one claimed job, run in a process of its own, forked from the worker.

Standard library only (multiprocessing's fork context, os pipes, process groups), so it runs on
Linux and macOS alike. Forked rather than spawned: the job process starts with the worker's
modules loaded and its settings as they are in memory (tests change settings at run time and
their jobs must see the change), and starts in about a millisecond.

* The worker hands the claimed row (with its `info`) to the process as an argument: forked, it
  needs no pickling nor a query of its own. The process writes its result (JSON) to a pipe and
  closes it; the worker reads the pipe until EOF.
* Its own process group, set by the worker (the parent) before the process can start anything,
  so the worker kills the job with whatever it started (ffmpeg and the like) in one killpg.
* It dies with the worker: a thread waits on multiprocessing's parent sentinel (a pipe whose
  write end only the worker holds) and kills the job's group when the worker is gone, even by
  kill -9.
* The job process opens its own database connections; it never uses the worker's.
  - SQLite: no connection crosses the fork. The worker closes its own just before it forks
    (`prepare_connections_for_fork`) and reopens one on its next query. SQLite forbids carrying
    an open database across fork(): the child would inherit the parent's view of the WAL index
    and read marks but not its POSIX locks, and read stale snapshots or a "malformed" file
    (issue 15: 200 of 200 jobs failed that way when inherited connections were kept referenced
    instead of closed).
  - PostgreSQL: the worker's connection (a socket to a server process of its own) crosses the
    fork and stays the worker's. The job process forgets it unused and unclosed
    (`_leave_inherited_connections`): closing it would end the worker's server session.
"""

import contextlib
import gc
import json
import multiprocessing
import os
import signal
import sqlite3
import sys
import threading
import traceback
from dataclasses import dataclass
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils.json import normalize_json
from django_tasks_db.compat import TaskContext
from django_tasks_db.models import DBTaskResult

from academy.request_id import bind_request_id
from jobs.runtime import yield_cpu

_FORK = multiprocessing.get_context("fork")


@dataclass
class JobProcess:
    process: BaseProcess
    result_fd: int  # the worker reads the job's result here, until EOF

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    def exit_code(self, timeout: float) -> int | None:
        """Its exit code (-N: killed by signal N); None if it has not ended within timeout."""
        self.process.join(timeout)
        return self.process.exitcode


def prepare_connections_for_fork() -> None:
    """Close this process's SQLite connections before a fork; keep the others (PostgreSQL).

    See the module docstring. Kept, the worker's PostgreSQL connection goes on with its server
    process's caches warm: closed and reopened around every fork, as it was, each job cost a new
    server process, and a grouping run 53 ms of CPU instead of 33 (worker, job and PostgreSQL;
    bench/incidents.py's storm runs one every five seconds beside people's pages). Only a
    process's own connections may be closed by it, and it may not fork inside a transaction.
    Django keeps connections per thread; the worker runs one thread.
    """
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:  # the job process would start inside our transaction
            raise RuntimeError(f"cannot fork inside a transaction on {connection.alias}")
        if connection.vendor == "sqlite":
            if connection.connection is not None:
                # SQLite checkpoints the WAL into the database file (and syncs it) when its last
                # connection closes; the worker reopens one a moment later, so that work would
                # be done once per job. The WAL is still checkpointed as it fills (every 1000
                # pages).
                connection.connection.setconfig(sqlite3.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, True)
            connection.close()


# The worker's connections, as the job process inherited them: never used nor closed there.
# Closing one would tell its server session to end (psycopg's Terminate message), under the
# worker; referenced here, no finalizer runs on them before the process exits.
_inherited: list[Any] = []


def _leave_inherited_connections() -> None:
    """In the job process: forget the worker's open connections, so that Django opens its own."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _inherited.append(connection.connection)
            connection.connection = None


def start(job: DBTaskResult[Any, Any]) -> JobProcess:
    """Fork a process that runs `job`; the caller polls its result pipe."""
    result_r, result_w = os.pipe()
    prepare_connections_for_fork()
    sys.stdout.flush()
    sys.stderr.flush()
    process = _FORK.Process(target=_main, args=(job, result_r, result_w), daemon=False)
    process.start()
    os.close(result_w)
    assert process.pid is not None
    # Here, not only in the child: the group must exist before the worker may kill it.
    with contextlib.suppress(PermissionError, ProcessLookupError):  # gone already
        os.setpgid(process.pid, process.pid)
    return JobProcess(process=process, result_fd=result_r)


def _main(job: DBTaskResult[Any, Any], result_r: int, result_w: int) -> None:
    os.close(result_r)
    os.setpgid(0, 0)
    # Stopping is the worker's call: `systemctl stop` signals every process of the service, and a
    # job ended by that SIGTERM would fail for good; the worker lets it finish within its grace
    # period, then kills the group (SIGKILL). Ignored signals stay ignored in what the job runs.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the worker, which stops us
    # Never collect what was inherited: a collection touches every object, copying the worker's
    # heap page by page.
    gc.freeze()
    _leave_inherited_connections()
    # Background work yields the CPU to people's requests (the worker runs at JOBS_NICE too; a
    # job process forked by a worker run inline, as in tests, gets there here). What the job
    # starts (ffmpeg) inherits it.
    yield_cpu(settings.JOBS_NICE)
    _die_with_worker()
    result = json.dumps(execute(job)).encode()
    view = memoryview(result)
    while view:
        view = view[os.write(result_w, view) :]
    os.close(result_w)  # the worker records the result now; we tear down meanwhile
    connections.close_all()


def _die_with_worker() -> None:
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])  # readable once the worker has ended
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, name="die-with-worker", daemon=True).start()


def execute(job: DBTaskResult[Any, Any]) -> dict[str, Any]:
    info = getattr(job, "info", None)
    request_id = info.request_id if info is not None and info.request_id else f"job-{job.pk}"
    with bind_request_id(request_id):
        try:
            task = job.task
            task_result = job.task_result
            if task.takes_context:
                value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            return {"ok": True, "value": normalize_json(value)}
        except BaseException as exc:
            cls = type(exc)
            message = str(exc)
            return {
                "ok": False,
                "class": f"{cls.__module__}.{cls.__qualname__}",
                "traceback": "".join(traceback.format_exception(exc)),
                "reason": (f"{cls.__name__}: {message}" if message else cls.__name__).splitlines()[0][:500],
                "mro": [f"{c.__module__}.{c.__qualname__}" for c in cls.__mro__],
            }
