"""Soak with faults: the whole platform under steady mixed load while its parts fail.

Runs the platform as a deployment that outgrew one machine would, here on one machine: a fresh
PostgreSQL database, moto's S3 server behind a proxy the soak can cut, two gunicorn instances on
two ports (two "web machines", the people spread over both), job workers with a memory limit and
two schedulers (bench/soak_platform.py). For --duration seconds simulated people drive mixed
traffic (bench/soak_traffic.py): parents upload real generated videos (phone portrait with a
rotation, index at the end, a long one in multipart parts, a cut-off one) and PDFs through the
upload API straight to S3; admins schedule lessons, take attendance, delete and restore them,
open the hubs and click Optimise three times at once; browsers send incident reports. Meanwhile
faults are injected at random, each kind --rounds times (bench/soak_faults.py): kill -9 of a
worker in the middle of a video job, kill -9 of a scheduler, pg_terminate_backend of the app's
connections, S3 unreachable for --outage seconds.

Then the people stop, the queue drains, and the invariants are checked against the database
(bench/soak_checks.py); each is printed with its figure, then throughput, latency per kind of
request outside the fault windows, how long each fault took to recover from, and whether /metrics agrees with the database. The exit
status is 1 if an invariant failed.

    .venv/bin/python bench/soak.py                                   # 5 minutes, the full cast
    .venv/bin/python bench/soak.py --short                           # ~60 s, fewer processes (CI)
    .venv/bin/python bench/soak.py --database-url postgres://postgres@127.0.0.1:5432/academy_soak
"""

import argparse
import os
import secrets
import shutil
import statistics
import string
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import soak_metrics
import soak_platform as platform_
from ports import free_ports
from soak_checks import Checks, Verdict
from soak_faults import Injector
from soak_proxy import Proxy
from soak_traffic import Admin, Ledger, Parent, Reporter


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/academy_soak")
    parser.add_argument("--duration", type=float, default=300, help="seconds of traffic (default 300)")
    parser.add_argument(
        "--short", action="store_true", help="CI: 60 s, fewer people and processes, one round"
    )
    parser.add_argument("--parents", type=int, default=6)
    parser.add_argument("--admins", type=int, default=3)
    parser.add_argument("--reporters", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3, help="job workers")
    parser.add_argument("--gunicorn-workers", type=int, default=2, help="per gunicorn instance")
    parser.add_argument("--rounds", type=int, default=3, help="faults of each kind")
    parser.add_argument("--outage", type=float, default=10, help="seconds S3 stays unreachable")
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument(
        "--port-base",
        type=int,
        default=int(os.environ.get("SOAK_PORT_BASE", "0")),
        help="moto, proxy and the web ports from here (default: free ports)",
    )
    args = parser.parse_args()
    if args.short:
        args.duration, args.parents, args.admins, args.reporters = 60, 3, 2, 1
        args.workers, args.gunicorn_workers, args.rounds = 2, 1, 1
    return args


class Monitor:
    """The supervisor: restarts a process that died on its own (and notes it), and samples the
    resident memory of every job process tree (each a worker's child, with what it started)."""

    def __init__(self, platform: platform_.Platform, injector: Injector) -> None:
        self.platform, self.injector = platform, injector
        self.unexpected: list[str] = []
        self.peak_job_rss = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            for name, process in list(self.platform.processes.items()):
                with self.injector.lock:
                    killed = process.pid in self.injector.killed_pids
                if process.poll() is not None and not killed and not self.stop.is_set():
                    tail = (
                        (self.platform.var / f"{name}.log")
                        .read_text(errors="replace")
                        .strip()
                        .splitlines()[-3:]
                    )
                    self.unexpected.append(
                        f"{name} (pid {process.pid}, exit {process.returncode}): {' | '.join(tail)}"
                    )
                    with self.injector.lock:
                        self.injector.killed_pids.add(process.pid)  # noted once
                    self._restart(name)
                if name.startswith("worker") and process.poll() is None:
                    self._sample(process.pid)

    def _restart(self, name: str) -> None:
        kind = name.rstrip("0123456789")
        index = int(name.removeprefix(kind))
        {
            "worker": self.platform.start_worker,
            "scheduler": self.platform.start_scheduler,
            "web": self.platform.start_web,
        }[kind](index)

    def _sample(self, pid: int) -> None:
        try:
            for job in psutil.Process(pid).children():
                tree = [job, *job.children(recursive=True)]
                self.peak_job_rss = max(self.peak_job_rss, sum(p.memory_info().rss for p in tree))
        except psutil.Error:
            pass


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def latency_table(ledger: Ledger, windows: list[tuple[float, float]]) -> list[str]:
    by_kind: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    for kind, start, seconds, status in ledger.requests:
        if any(start <= b and start + seconds >= a for a, b in windows):
            continue
        by_kind.setdefault(kind, []).append(seconds)
        if status == 0 or status >= 500:
            errors[kind] = errors.get(kind, 0) + 1
    lines = [f"  {'request':<18} {'n':>6} {'p50 ms':>8} {'p99 ms':>8}  5xx/no answer"]
    for kind, values in sorted(by_kind.items()):
        lines.append(
            f"  {kind:<18} {len(values):>6} {statistics.median(values) * 1000:>8.1f} "
            f"{percentile(values, 0.99) * 1000:>8.1f}  {errors.get(kind, 0)}"
        )
    return lines


def main() -> int:
    args = parse_args()
    tag = "".join(secrets.choice(string.ascii_uppercase) for _ in range(6))
    var = Path(tempfile.mkdtemp(prefix="academy-soak-"))
    (var / "work").mkdir()
    (var / "metrics").mkdir()
    ports = [args.port_base + n for n in range(1, 5)] if args.port_base else free_ports(4)
    print(
        f"soak {tag}: {args.duration:.0f} s, {args.parents} parents, {args.admins} admins, "
        f"{args.reporters} reporting browsers; 2 gunicorn x {args.gunicorn_workers}, {args.workers} workers "
        f"(memory limit {platform_.MEMORY_LIMIT}), 2 schedulers; logs in {var}",
        flush=True,
    )

    from tests.s3_fixtures import start_moto_server

    moto, moto_endpoint = start_moto_server(ports[0])
    proxy = Proxy(ports[1], ports[0])
    env = platform_.base_env(
        database_url=args.database_url, var=var, s3_endpoint=f"http://127.0.0.1:{proxy.port}"
    )
    platform = platform_.Platform(env, var, ports[2:4], args.gunicorn_workers, args.workers)
    try:
        platform_.create_bucket(moto_endpoint)
        samples = platform_.make_samples(var / "samples")
        seed = platform_.prepare_database(env, admins=args.admins, parents=args.parents)
        platform.start_all()
        return soak(args, tag, platform, proxy, seed, samples)
    finally:
        platform.stop_all()
        proxy.stop()
        moto.terminate()
        moto.wait(timeout=10)
        if os.environ.get("SOAK_KEEP_LOGS") != "1":
            shutil.rmtree(var, ignore_errors=True)


def soak(
    args: argparse.Namespace, tag: str, platform: platform_.Platform, proxy: Proxy, seed: dict, samples: list
) -> int:
    ledger, stop = Ledger(), threading.Event()
    bases = [f"http://127.0.0.1:{port}" for port in platform.web_ports]
    people = [Parent(bases[n % 2], p, samples, ledger, stop) for n, p in enumerate(seed["parents"])]
    people += [
        Admin(bases[n % 2], f"admin{n}@soak.test", seed["students"], ledger, stop) for n in range(args.admins)
    ]
    people += [
        Reporter(bases[n % 2], seed["parents"][n % len(seed["parents"])]["email"], tag, ledger, stop)
        for n in range(args.reporters)
    ]
    injector = Injector(platform, proxy, args.database_url, args.outage)
    monitor = Monitor(platform, injector)
    threads = [threading.Thread(target=p.run, name=type(p).__name__, daemon=True) for p in people]
    started = time.time()
    faults = threading.Thread(
        target=injector.run, args=(args.duration, args.rounds, started, stop), daemon=True
    )
    watch = threading.Thread(target=monitor.run, daemon=True)
    for thread in [*threads, faults, watch]:
        thread.start()
    stop.wait(args.duration)
    stop.set()
    faults.join()
    for thread in threads:
        thread.join(timeout=120)
    traffic_seconds = time.time() - started
    print(
        f"traffic stopped after {traffic_seconds:.0f} s; {len(ledger.requests)} requests; draining the queue ...",
        flush=True,
    )

    checks = Checks(args.database_url, ledger, memory_limit=512 * 2**20)
    drain_start = time.time()
    while checks.pending_video_jobs() and time.time() - drain_start < args.drain_timeout:
        time.sleep(1)
    # The last reports' grouping run and the last retry's bookkeeping: a moment to land.
    while (
        checks.q("SELECT count(*) FROM incidents_pendingreport")[0][0]
        and time.time() - drain_start < args.drain_timeout
    ):
        time.sleep(1)
    drained = time.time() - drain_start
    monitor.stop.set()
    watch.join()
    print(f"queue drained in {drained:.0f} s", flush=True)

    verdicts = checks.all(unexpected_exits=monitor.unexpected, peak_job_rss=monitor.peak_job_rss)
    kills = sum(1 for f in injector.faults if f.kind == "worker" and "job" in f.detail)
    verdicts.append(soak_metrics.agree(checks, ledger, bases, platform_.METRICS_TOKEN, kills))
    print_report(args, checks, ledger, injector, verdicts, traffic_seconds, drained, started)
    failed = [v for v in verdicts if not v.ok]
    print(
        f"\n{len(verdicts) - len(failed)} of {len(verdicts)} invariants hold" + (": FAILED" if failed else "")
    )
    return 1 if failed else 0


def print_report(
    args: argparse.Namespace,
    checks: Checks,
    ledger: Ledger,
    injector: Injector,
    verdicts: list[Verdict],
    traffic_seconds: float,
    drained: float,
    started: float,
) -> None:
    print("\ninvariants:")
    for verdict in verdicts:
        print(f"  [{'ok' if verdict.ok else 'FAIL'}] {verdict.name}: {verdict.figure}")
    jobs = checks.q(
        "SELECT task_path, status, count(*) FROM django_tasks_database_dbtaskresult "
        "WHERE finished_at >= to_timestamp(%s) GROUP BY 1, 2 ORDER BY 1, 2",
        started,
    )
    finished = sum(n for _, _, n in jobs)
    print("\nthroughput:")
    print(
        f"  {len(ledger.requests) / traffic_seconds:.1f} requests/s over {traffic_seconds:.0f} s "
        f"({len(ledger.requests)} requests, both web machines)"
    )
    print(
        f"  {finished / (traffic_seconds + drained):.2f} jobs/s finished over {traffic_seconds + drained:.0f} s "
        f"(traffic and drain): " + ", ".join(f"{p.rsplit('.', 1)[-1]} {s.lower()} {n}" for p, s, n in jobs)
    )
    print(f"  {len(ledger.uploads)} uploads confirmed, {len(ledger.reports)} incident reports accepted")
    windows = [(f.start, f.end + 5) for f in injector.faults]
    print(
        f"\nlatency outside the {len(windows)} fault windows (requests overlapping a window or the 5 s after it left out):"
    )
    print("\n".join(latency_table(ledger, windows)))
    inside = [r for r in ledger.requests if any(r[1] <= b and r[1] + r[2] >= a for a, b in windows)]
    errors = sum(1 for r in inside if r[3] == 0 or r[3] >= 500)
    print(
        f"  inside the fault windows: {len(inside)} requests, {errors} answered 5xx or not at all "
        "(each retried by its person)"
    )
    for fault in injector.faults:
        print(f"  fault {fault.kind} at {fault.start:.1f}-{fault.end:.1f} {fault.detail}")
    if ledger.no_answer:
        print(f"  requests without an answer: {'; '.join(ledger.no_answer[:20])}")
    print("\nrecovery:")
    for line in checks.recoveries(injector.faults):
        print(f"  {line}")
    if ledger.uploads_failed:
        print(f"\nuploads the people gave up on ({len(ledger.uploads_failed)}):")
        for line in ledger.uploads_failed[:10]:
            print(f"  {line}")


if __name__ == "__main__":
    sys.exit(main())
