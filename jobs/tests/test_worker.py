"""The worker with real child processes: failures, the memory limit, kill -9, SIGTERM, limits."""

import contextlib
import os
import signal
import subprocess
import sys
from datetime import timedelta

import psutil
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.tasks.signals import task_finished
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from academy.request_id import bind_request_id
from jobs.dispatch import dispatch
from jobs.models import JobInfo, WorkerProcess
from jobs.reaper import reap_stuck_jobs
from jobs.runtime import Limits, cgroup_memory_max, check_limit, read_limits
from jobs.tests import sample_tasks as t
from jobs.tests.conftest import ROOT, wait_for
from jobs.worker import Worker

pytestmark = pytest.mark.django_db(transaction=True)
MiB = 2**20


def run_inline(**options) -> Worker:
    """Run a worker in this process until the queue is empty (jobs still run in children)."""
    worker = Worker(
        limits=read_limits(options.pop("limit", 256 * MiB)), queues=["*"], batch=True, interval=0, **options
    )
    worker.run()
    return worker


def test_a_job_that_raises_fails_with_its_traceback_and_the_worker_goes_on():
    failing = dispatch(t.boom, "disk on fire")
    fine = dispatch(t.noop)
    worker = run_inline()
    failed = DBTaskResult.objects.get(pk=failing.job_id)
    assert failed.status == "FAILED"
    assert failed.exception_class_path == "builtins.ValueError"
    assert "disk on fire" in failed.traceback and "Traceback" in failed.traceback
    assert JobInfo.objects.get(job__pk=failing.job_id).reason == "ValueError: disk on fire"
    assert DBTaskResult.objects.get(pk=fine.job_id).status == "SUCCESSFUL"
    assert worker.done == DBTaskResult.objects.count()  # all it found, what a failure set off too


def test_a_job_past_the_memory_limit_is_killed_and_recorded_and_the_worker_goes_on():
    hog = dispatch(t.hog, 4096)
    fine = dispatch(t.noop)
    run_inline(limit=160 * MiB)
    failed = DBTaskResult.objects.get(pk=hog.job_id)
    info = JobInfo.objects.get(job__pk=hog.job_id)
    assert failed.status == "FAILED"
    assert failed.exception_class_path == "jobs.errors.MemoryLimitExceeded"
    assert info.reason.startswith("exceeded the worker memory limit of 160 MiB (resident ")
    assert (info.peak_rss or 0) > 160 * MiB
    assert DBTaskResult.objects.get(pk=fine.job_id).status == "SUCCESSFUL"


def test_a_job_process_yields_the_cpu_to_web_requests(settings):
    settings.JOBS_NICE = 7
    job = dispatch(t.niceness)
    run_inline()
    assert DBTaskResult.objects.get(pk=job.job_id).return_value == max(7, os.nice(0))
    assert os.nice(0) < 7  # a worker run inline leaves its caller's priority alone


def test_the_worker_command_and_its_jobs_run_at_jobs_nice(start_worker, worker_env, tmp_path):
    worker_env["JOBS_NICE"] = "6"
    base = os.nice(0)
    worker = start_worker("--queues", "*")
    wait_for(lambda: "started" in (tmp_path / "worker-0.log").read_text(), what="the worker to start")
    assert psutil.Process(worker.pid).nice() == max(6, base)
    job = dispatch(t.niceness)
    wait_for(lambda: DBTaskResult.objects.get(pk=job.job_id).status == "SUCCESSFUL", what="the job")
    assert DBTaskResult.objects.get(pk=job.job_id).return_value == max(6, base)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite connections are closed before each fork (test_fresh_reads)",
)
def test_on_postgresql_a_job_opens_its_own_connection_and_the_worker_keeps_its_one():
    """The worker's connection crosses the fork untouched: the job neither uses nor closes it
    (closing would end the worker's server session), and the worker goes on with it."""

    def session() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return int(cursor.fetchone()[0])

    workers = session()
    jobs = [dispatch(t.database_session) for _ in range(3)]
    run_inline()  # the worker runs in this process, on this test's connection
    sessions = {DBTaskResult.objects.get(pk=job.job_id).return_value for job in jobs}
    assert len(sessions) == 3 and workers not in sessions
    assert session() == workers


def test_a_job_that_kills_its_own_process_is_a_failure_not_a_hang():
    job = dispatch(t.nap, 0)
    DBTaskResult.objects.filter(pk=job.job_id).update(task_path="os._exit")  # not a Task: import fails
    run_inline()
    assert DBTaskResult.objects.get(pk=job.job_id).status == "FAILED"


def test_a_job_process_that_dies_is_a_failure_with_how_it_ended():
    killed = dispatch(t.die)
    exited = dispatch(t.die, 3)
    fine = dispatch(t.noop)
    worker = run_inline()
    for job, how in ((killed, "signal SIGKILL"), (exited, "exit code 3")):
        row = DBTaskResult.objects.get(pk=job.job_id)
        assert row.status == "FAILED" and row.exception_class_path == "jobs.errors.JobProcessDied"
        reason = JobInfo.objects.get(job__pk=job.job_id).reason
        assert reason == f"the job process ended with {how} before reporting a result"
    assert DBTaskResult.objects.get(pk=fine.job_id).status == "SUCCESSFUL"
    assert worker.done == DBTaskResult.objects.count()  # all it found, what a failure set off too


def test_the_worker_leaves_no_process_behind():
    """Every job process is reaped before the worker returns, those that reported a result too."""
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    dispatch(t.noop)
    run_inline()
    assert [p for p in psutil.Process().children(recursive=True) if p.pid not in before] == []


def test_failed_job_sends_task_finished_with_job_id_attempt_and_request_id():
    seen = []

    def listener(sender, task_result, **kwargs):
        seen.append((task_result, kwargs))

    task_finished.connect(listener)
    try:
        with bind_request_id("req-abcdef123456"):
            job = dispatch(t.boom, "x")
        run_inline()
    finally:
        task_finished.disconnect(listener)
    task_result, extra = next((r, k) for r, k in seen if r.id == job.job_id)
    assert task_result.status == "FAILED"
    assert task_result.errors[-1].exception_class_path == "builtins.ValueError"
    assert extra["job_id"] == job.job_id and extra["attempt"] == 1
    assert extra["reason"] == "ValueError: x" and extra["will_retry"] is False
    assert extra["request_id"] == "req-abcdef123456"


def test_job_runs_bound_to_the_request_id_that_enqueued_it():
    with bind_request_id("req-0123456789"):
        job = dispatch(t.mark, 1)
    run_inline()
    row = DBTaskResult.objects.get(pk=job.job_id)
    assert row.return_value == "req-0123456789"


def test_worker_registers_its_runtime_limits_and_stop():
    run_inline(limit=300 * MiB)
    row = WorkerProcess.objects.get()
    assert row.memory_limit == 300 * MiB
    assert row.effective_limit <= 300 * MiB
    assert row.pid == os.getpid() and row.stopped_at is not None
    assert row.stop_reason == "queue empty (--batch)"


def test_bad_memory_limit_fails_loudly_at_start():
    with pytest.raises(CommandError, match="not a size"):
        call_command("worker", "--memory-limit", "lots", "--batch")
    with pytest.raises(CommandError, match="too small"):
        call_command("worker", "--memory-limit", "1M", "--batch")
    assert not WorkerProcess.objects.exists()


def test_a_limit_above_the_cgroup_or_rlimit_is_refused():
    with pytest.raises(ValueError, match=r"cgroup memory\.max is 256 MiB"):
        check_limit(Limits(own=512 * MiB, rlimit_as=None, rlimit_data=None, cgroup_memory_max=256 * MiB))
    with pytest.raises(ValueError, match="RLIMIT_AS"):
        check_limit(Limits(own=512 * MiB, rlimit_as=300 * MiB, rlimit_data=None, cgroup_memory_max=None))
    ok = Limits(own=256 * MiB, rlimit_as=None, rlimit_data=None, cgroup_memory_max=1024 * MiB)
    check_limit(ok)
    assert ok.effective == 256 * MiB


def test_rlimit_is_read_back_from_a_real_process():
    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (400*2**20, resource.RLIM_INFINITY));"
        "import os; os.execv(os.sys.executable, [os.sys.executable, '-c', "
        "'from jobs.runtime import read_limits; print(read_limits(2**28).rlimit_as)'])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(400 * MiB)


def test_cgroup_v2_memory_max_is_read(tmp_path):
    proc = tmp_path / "proc"
    proc.mkdir()
    (proc / "cgroup").write_text("0::/academy.slice/worker\n")
    group = tmp_path / "cg" / "academy.slice" / "worker"
    group.mkdir(parents=True)
    (group / "memory.max").write_text("268435456\n")
    assert cgroup_memory_max(proc, tmp_path / "cg") == 256 * MiB
    (group / "memory.max").write_text("max\n")
    assert cgroup_memory_max(proc, tmp_path / "cg") is None


def _processes_of(env: dict[str, str]) -> list[psutil.Process]:
    """Live processes started with this test's worker environment (the worker's forks share it)."""
    found = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if (
                proc.status() != psutil.STATUS_ZOMBIE
                and proc.environ().get("DATABASE_URL") == env["DATABASE_URL"]
            ):
                found.append(proc)
    return found


def test_kill_9_mid_job_is_reaped_as_worker_lost_and_the_retryable_job_runs_again(
    start_worker, worker_env, tmp_path
):
    marker = tmp_path / "stalled"
    job = dispatch(t.stall_once, str(marker))
    proc = start_worker("--queues", "*")
    wait_for(marker.exists, what="the job to start")
    wait_for(lambda: DBTaskResult.objects.filter(pk=job.job_id, status="RUNNING").exists(), what="RUNNING")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    # the job process watches its parent sentinel and kills its own group
    wait_for(lambda: not _processes_of(worker_env), what="the worker's processes to die")

    assert reap_stuck_jobs() == []  # its heartbeat is still fresh: not stuck yet
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        reaped = reap_stuck_jobs()
    assert [r.job_id for r in reaped] == [job.job_id]
    lost = DBTaskResult.objects.get(pk=job.job_id)
    assert lost.status == "FAILED" and lost.exception_class_path == "jobs.errors.WorkerLost"
    assert JobInfo.objects.get(job__pk=job.job_id).reason == "worker lost"
    retry = JobInfo.objects.get(previous__pk=job.job_id)
    assert retry.attempt == 2 and retry.job.status == "READY"

    run_inline()
    retry.job.refresh_from_db()
    assert retry.job.status == "SUCCESSFUL" and retry.job.return_value == "ran again"


def test_sigterm_lets_the_running_job_finish_then_stops(start_worker, worker_env):
    job = dispatch(t.nap, 1.0)
    proc = start_worker("--queues", "*")
    wait_for(lambda: DBTaskResult.objects.filter(pk=job.job_id, status="RUNNING").exists(), what="RUNNING")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    assert _processes_of(worker_env) == []  # its job processes reaped before the worker exits
    assert DBTaskResult.objects.get(pk=job.job_id).status == "SUCCESSFUL"
    assert WorkerProcess.objects.get().stopped_at is not None


def test_a_service_stop_that_signals_every_process_lets_the_job_finish(start_worker, worker_env):
    """`systemctl stop` sends SIGTERM to the job process too, not only to the worker: the job goes on
    (the worker owns its stop), so a running video is not failed for good by a deploy."""
    job = dispatch(t.nap, 1.0)
    proc = start_worker("--queues", "*")
    wait_for(lambda: DBTaskResult.objects.filter(pk=job.job_id, status="RUNNING").exists(), what="RUNNING")
    for process in [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]:
        process.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    assert DBTaskResult.objects.get(pk=job.job_id).status == "SUCCESSFUL"
    assert _processes_of(worker_env) == []


def test_sigterm_past_the_grace_period_releases_the_job(start_worker, worker_env):
    job = dispatch(t.nap, 30)
    proc = start_worker("--queues", "*", "--grace", "0.5")
    wait_for(lambda: DBTaskResult.objects.filter(pk=job.job_id, status="RUNNING").exists(), what="RUNNING")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    assert DBTaskResult.objects.get(pk=job.job_id).status == "READY"
    assert _processes_of(worker_env) == []  # the released job's process is dead too
