"""The soak's faults, injected at random while the traffic runs, each kind several times.

    worker   kill -9 of a job worker while it runs a video job; a new worker is started at once
    scheduler kill -9 of a scheduler; started again two seconds later
    database pg_terminate_backend of every connection the app holds
    s3       the S3 server unreachable through the proxy for --outage seconds

Each fault is recorded as a window (kind, start, end, detail); requests inside a window (and a
few seconds after) are left out of the latency figures. Recovery times are read afterwards
from the database (checks.recoveries), except the database fault's, watched here.
"""

import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg
from soak_platform import Platform
from soak_proxy import Proxy

KINDS = ("worker", "scheduler", "database", "s3")


@dataclass
class Fault:
    kind: str
    start: float
    end: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Injector:
    platform: Platform
    proxy: Proxy
    database_url: str
    outage: float
    faults: list[Fault] = field(default_factory=list)
    killed_pids: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def plan(self, duration: float, rounds: int) -> list[tuple[float, str]]:
        """`rounds` of each kind, shuffled, spread over the run (first and last 10% left calm)."""
        kinds = [kind for _ in range(rounds) for kind in KINDS]
        random.shuffle(kinds)
        span = duration * 0.8
        step = span / len(kinds)
        return [(duration * 0.1 + i * step + random.uniform(0, step * 0.3), k) for i, k in enumerate(kinds)]

    def run(self, duration: float, rounds: int, started: float, stop: threading.Event) -> None:
        for at, kind in self.plan(duration, rounds):
            if stop.wait(max(0.0, started + at - time.time())):
                return
            getattr(self, kind)()

    def _query(self, sql: str, *params: Any) -> list[tuple]:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def worker(self) -> None:
        """kill -9 the worker of a running video job (waiting up to 30 s for one to run)."""
        deadline = time.time() + 30
        while time.time() < deadline:
            rows = self._query(
                "SELECT j.id, w.pid, w.worker_id FROM django_tasks_database_dbtaskresult j "
                "JOIN jobs_workerprocess w ON w.worker_id = j.worker_ids->>-1 "
                "WHERE j.status = 'RUNNING' AND j.task_path = 'media.tasks.process_video_proof' "
                "AND w.stopped_at IS NULL"
            )
            mine = {p.pid: name for name, p in self.platform.processes.items() if name.startswith("worker")}
            rows = [r for r in rows if r[1] in mine and self.platform.processes[mine[r[1]]].poll() is None]
            if rows:
                job_id, pid, worker_id = random.choice(rows)
                name = mine[pid]
                start = time.time()
                with self.lock:
                    self.killed_pids.add(pid)
                os.kill(pid, signal.SIGKILL)
                self.platform.processes[name].wait()
                self.platform.start_worker(int(name.removeprefix("worker")))  # the supervisor's restart
                self.faults.append(
                    Fault("worker", start, time.time(), {"job": str(job_id), "worker": worker_id, "pid": pid})
                )
                return
            time.sleep(0.3)
        self.faults.append(Fault("worker", time.time(), time.time(), {"skipped": "no video job ran"}))

    def scheduler(self) -> None:
        name = random.choice(self.platform.names("scheduler"))
        process = self.platform.processes[name]
        start = time.time()
        with self.lock:
            self.killed_pids.add(process.pid)
        process.kill()
        process.wait()
        time.sleep(2)
        self.platform.start_scheduler(int(name.removeprefix("scheduler")))
        self.faults.append(Fault("scheduler", start, time.time(), {"pid": process.pid}))

    def database(self) -> None:
        """Terminate every connection of the app's database but this one; watch the workers beat."""
        start = time.time()
        rows = self._query(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        fault = Fault("database", start, 0.0, {"terminated": len(rows)})
        # Recovered when every running worker has written a heartbeat after the cut.
        deadline = start + 60
        while time.time() < deadline:
            live = [
                p.pid
                for n, p in self.platform.processes.items()
                if n.startswith("worker") and p.poll() is None
            ]
            stale = self._query(
                "SELECT count(*) FROM jobs_workerprocess WHERE stopped_at IS NULL "
                "AND pid = ANY(%s) AND last_heartbeat < to_timestamp(%s)",
                live,
                start,
            )[0][0]
            if not stale:
                fault.detail["workers_beating_after"] = time.time() - start
                break
            time.sleep(0.2)
        fault.end = time.time()
        self.faults.append(fault)

    def s3(self) -> None:
        start = time.time()
        self.proxy.set_down()
        time.sleep(self.outage)
        self.proxy.set_up()
        self.faults.append(Fault("s3", start, time.time(), {}))
