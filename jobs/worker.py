"""The worker: claims jobs from django-tasks-db's table and runs each in its own process.

Why a process per job: the memory limit is per job and measured as resident memory; the worker
polls the RSS of the job's process tree and kills it past the limit, records the failure with
the reason, and keeps serving. A job process that dies any other way (segfault, os._exit) is a
failure too, and the memory a job used goes back to the system when it ends.

The worker forks each job process itself when it has claimed the job (jobs/job_process.py,
standard library only, so it runs wherever Django runs) and measures it with psutil. The worker
does all the queue bookkeeping (claim, result, retry, signal); the job process only runs the
task, with its own database connection, bound to the job's request id, and reports back through
a pipe. Heartbeats come from the worker's loop (no threads: the worker forks).
"""

import contextlib
import gc
import json
import logging
import os
import selectors
import signal
import time
import uuid
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from django.db import InterfaceError, OperationalError, close_old_connections
from django.tasks.signals import task_started
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from jobs import job_process, lifecycle
from jobs.metrics import job_finished
from jobs.models import WorkerProcess
from jobs.reconnect import lost_connection, reconnecting
from jobs.runtime import Limits, hostname, mib, tree_rss

logger = logging.getLogger("jobs.worker")

HEARTBEAT_SECONDS = 5.0


@dataclass
class Child:
    process: job_process.JobProcess
    job: DBTaskResult[Any, Any]
    started: float
    buffer: bytearray = field(default_factory=bytearray)
    peak_rss: int = 0
    next_check: float = 0.0
    killed_reason: str = ""

    @property
    def pid(self) -> int:  # it leads its own process group: the job and all it started
        return self.process.pid

    @property
    def fd(self) -> int:  # its result comes back on this pipe
        return self.process.result_fd


def new_worker_id() -> str:
    return f"{hostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class Worker:
    def __init__(
        self,
        *,
        limits: Limits,
        queues: list[str],
        concurrency: int = 1,
        max_tasks: int | None = None,
        batch: bool = False,
        interval: float = 1.0,
        poll: float = 0.05,
        grace: float = 30.0,
        backend_name: str = "default",
        worker_id: str | None = None,
    ) -> None:
        self.limits = limits
        self.queues = queues
        self.concurrency = concurrency
        self.max_tasks = max_tasks
        self.batch = batch
        self.interval = interval
        self.poll = poll
        self.grace = grace
        self.backend_name = backend_name
        self.worker_id = worker_id or new_worker_id()
        self.children: dict[int, Child] = {}  # by pipe fd
        self.selector = selectors.DefaultSelector()
        self.running = True
        self.stop_deadline: float | None = None
        self.claimed = 0
        self.done = 0
        self.next_heartbeat = 0.0
        self.exiting: list[job_process.JobProcess] = []  # reported; reaped as they end

    # -- lifecycle -------------------------------------------------------------------------
    def install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.running:
            logger.warning("%s: finishing the current jobs, then stopping", signal.strsignal(signum))
            self.running = False
            self.stop_deadline = time.monotonic() + self.grace
        else:  # a second signal: stop now, releasing the jobs
            self.stop_deadline = time.monotonic()

    def register(self) -> WorkerProcess:
        now = timezone.now()
        row = WorkerProcess.objects.create(
            worker_id=self.worker_id,
            host=hostname(),
            pid=os.getpid(),
            queues=self.queues,
            concurrency=self.concurrency,
            memory_limit=self.limits.own,
            rlimit_as=self.limits.rlimit_as,
            rlimit_data=self.limits.rlimit_data,
            cgroup_memory_max=self.limits.cgroup_memory_max,
            effective_limit=self.limits.effective,
            started_at=now,
            last_heartbeat=now,
        )
        logger.info(
            "worker %s started: queues=%s concurrency=%d; %s; effective %s",
            self.worker_id,
            ",".join(self.queues),
            self.concurrency,
            self.limits.describe(),
            mib(self.limits.effective),
        )
        return row

    def heartbeat(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now < self.next_heartbeat:
            return
        self.next_heartbeat = now + HEARTBEAT_SECONDS
        try:
            WorkerProcess.objects.filter(worker_id=self.worker_id).update(
                last_heartbeat=timezone.now(), jobs_done=self.done
            )
        except OperationalError:
            logger.warning("heartbeat failed; retrying on the next beat", exc_info=True)
            close_old_connections()

    def run(self) -> int:
        self.register()
        reason = "stopped"
        try:
            # What is alive now (Django, the apps, the settings) lives as long as the worker: keep
            # it out of the collector, whose full passes write to every object's header and so,
            # after a fork, make the worker copy page after page of its heap. Thawed on return
            # (a process that runs workers one after another, as the tests do, collects again).
            gc.freeze()
            while True:
                self.heartbeat()
                if self.stop_deadline is not None and time.monotonic() >= self.stop_deadline:
                    self.release_all()
                    reason = "stopped (jobs released)"
                    break
                started = self.fill_slots()
                if self.children:
                    self.wait_children(self.poll)
                    continue
                if not self.running:
                    break
                if self.max_tasks is not None and self.claimed >= self.max_tasks:
                    reason = f"ran {self.claimed} jobs (--max-tasks)"
                    break
                if self.batch and not started:
                    reason = "queue empty (--batch)"
                    break
                if not started:
                    close_old_connections()
                    time.sleep(self.interval)
        except BaseException:
            self.release_all()
            reason = "crashed"
            raise
        finally:
            gc.unfreeze()
            for process in self.exiting:
                process.exit_code(timeout=10)
            reconnecting(
                "stop",
                lambda: WorkerProcess.objects.filter(worker_id=self.worker_id).update(
                    stopped_at=timezone.now(),
                    stop_reason=reason,
                    last_heartbeat=timezone.now(),
                    jobs_done=self.done,
                ),
            )
            logger.info("worker %s %s after %d jobs", self.worker_id, reason, self.done)
        return self.done

    # -- claiming --------------------------------------------------------------------------
    def ready_jobs(self) -> Any:
        jobs = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if "*" not in self.queues:
            jobs = jobs.filter(queue_name__in=self.queues)
        return jobs

    def claim(self) -> DBTaskResult[Any, Any] | None:
        """The next ready job, claimed for this worker; None when there is none (or the database
        stays out of reach: the loop polls again, the worker does not die of a database blip)."""
        try:
            return reconnecting("claim", self._claim_once)
        except (InterfaceError, OperationalError) as exc:
            if not lost_connection(exc):
                raise
            logger.error("claim: the database is still out of reach; polling again")
            return None

    def _claim_once(self) -> DBTaskResult[Any, Any] | None:
        jobs = self.ready_jobs()
        try:
            with exclusive_transaction(jobs.db):
                job: DBTaskResult[Any, Any] | None = (
                    jobs.select_related("info").select_for_update(skip_locked=True, of=("self",)).first()
                )
                if job is not None:
                    job.claim(self.worker_id)
                return job
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None
            raise

    def fill_slots(self) -> int:
        started = 0
        while self.running and len(self.children) < self.concurrency:
            if self.max_tasks is not None and self.claimed >= self.max_tasks:
                break
            job = self.claim()
            if job is None:
                break
            self.claimed += 1
            started += 1
            self.start_child(job)
        return started

    # -- children --------------------------------------------------------------------------
    def start_child(self, job: DBTaskResult[Any, Any]) -> None:
        try:
            task_started.send(sender=type(job.task.get_backend()), task_result=job.task_result)
        except Exception:
            logger.debug("task_started for job %s not sent", job.pk, exc_info=True)
        process = job_process.start(job)
        os.set_blocking(process.result_fd, False)
        now = time.monotonic()
        self.children[process.result_fd] = Child(
            process=process, job=job, started=now, next_check=now + self.poll
        )
        self.selector.register(process.result_fd, selectors.EVENT_READ)

    def wait_children(self, timeout: float) -> None:
        for key, _ in self.selector.select(timeout):
            child = self.children[int(key.fd)]
            while True:
                try:
                    chunk = os.read(child.fd, 65536)
                except BlockingIOError:
                    break
                if not chunk:
                    self.reap_child(child)
                    break
                child.buffer += chunk
        now = time.monotonic()
        for child in list(self.children.values()):
            if now >= child.next_check:
                child.next_check = now + self.poll
                self.check_memory(child)

    def check_memory(self, child: Child) -> None:
        rss = tree_rss(child.pid)
        child.peak_rss = max(child.peak_rss, rss)
        if rss > self.limits.own and not child.killed_reason:
            child.killed_reason = (
                f"exceeded the worker memory limit of {mib(self.limits.own)} (resident {mib(rss)})"
            )
            logger.error("job %s %s: killing it", child.job.pk, child.killed_reason)
            _kill_tree(child.pid)

    def reap_child(self, child: Child) -> None:
        """The child closed its pipe: record its result. A child that sent a result is left to
        exit on its own (tearing down a large address space takes milliseconds) and reaped later."""
        try:
            result = json.loads(bytes(child.buffer)) if child.buffer and not child.killed_reason else None
        except ValueError:
            result = None
        exit_code = None
        if result is None and not child.killed_reason:
            exit_code = child.process.exit_code(timeout=10)
        self.selector.unregister(child.fd)
        os.close(child.fd)
        del self.children[child.fd]
        self.exiting = [p for p in self.exiting if p.exit_code(timeout=0) is None]
        self.exiting.append(child.process)
        self.done += 1
        job = child.job
        outcome = (
            "memory_limit"
            if child.killed_reason
            else "died"
            if result is None
            else "succeeded"
            if result["ok"]
            else "failed"
        )
        self.record_result(child, result, exit_code)
        # Counted once recorded: a worker killed in between leaves no count the database lacks.
        job_finished(
            job.task_path, outcome, seconds=time.monotonic() - child.started, peak_rss=child.peak_rss
        )

    def record_result(self, child: Child, result: dict[str, Any] | None, exit_code: int | None) -> None:
        """Record how the child's job ended: success, its exception, death or the memory limit."""
        job = child.job
        if child.killed_reason:
            self.record_failure(
                job.pk,
                lifecycle.Failure(
                    exception_class_path=lifecycle.MEMORY_CLASS,
                    traceback=f"MemoryLimitExceeded: {child.killed_reason}\n",
                    reason=child.killed_reason,
                    retryable=False,
                    peak_rss=child.peak_rss,
                ),
            )
            return
        if result is None:
            if exit_code is None:
                how = "an unknown status"
            elif exit_code < 0:
                how = f"signal {signal.Signals(-exit_code).name}"
            else:
                how = f"exit code {exit_code}"
            reason = f"the job process ended with {how} before reporting a result"
            self.record_failure(
                job.pk,
                lifecycle.Failure(
                    exception_class_path="jobs.errors.JobProcessDied",
                    traceback=reason + "\n",
                    reason=reason,
                    peak_rss=child.peak_rss or None,
                ),
            )
        elif result["ok"]:
            reconnecting("record success", lambda: lifecycle.record_success(job, result["value"]))
        else:
            self.record_failure(
                job.pk,
                lifecycle.Failure(
                    exception_class_path=result["class"],
                    traceback=result["traceback"],
                    reason=result["reason"],
                    mro=tuple(result["mro"]),
                    peak_rss=child.peak_rss or None,
                ),
            )

    def record_failure(self, job_id: Any, failure: lifecycle.Failure) -> None:
        reconnecting("record failure", lambda: lifecycle.record_failure(job_id, failure))

    def release_all(self) -> None:
        """Stop the children now and put their jobs back in the queue for another worker."""
        for child in list(self.children.values()):
            _kill_tree(child.pid)
            child.process.exit_code(timeout=10)  # dead before its job goes back to the queue
            self.selector.unregister(child.fd)
            os.close(child.fd)
            del self.children[child.fd]
            DBTaskResult.objects.filter(pk=child.job.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None
            )
            logger.warning("job %s released back to the queue", child.job.pk)


def _kill_tree(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)  # the child leads its own process group
