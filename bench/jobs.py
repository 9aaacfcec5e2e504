"""Jobs benchmark (not a test): prints its figures.

    .venv/bin/python bench/jobs.py [--jobs 5000] [--sleep-jobs 400] [--concurrency 2]
        [--pg postgres://postgres@127.0.0.1:5432/academy_jobs_bench]

1. N no-op jobs through `manage.py worker` (the worker forks a process per job and watches its
   RSS), through `manage.py worker --concurrency 2` and through django-tasks-db's plain
   `db_worker`, on SQLite and on PostgreSQL: jobs/s and the ratios.
2. M jobs that each sleep 50 ms with 1 and with 4 workers on PostgreSQL: the speed-up.

Throughput is measured from the database (first start to last finish), so process start-up is
left out; wall time including start-up is printed beside it.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pg import reset_database  # bench/pg.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def env_for(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "PYTHONPATH": str(ROOT)}


def manage(url: str, *args: str) -> None:
    subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env_for(url), check=True, stdout=subprocess.DEVNULL
    )


def helper(url: str, *args: str) -> str:
    out = subprocess.run(
        [PY, __file__, "--_helper", *args],
        cwd=ROOT,
        env=env_for(url),
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def run_workers(url: str, command: list[str], workers: int) -> float:
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [PY, "manage.py", *command],
            cwd=ROOT,
            env=env_for(url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    for p in procs:
        if p.wait() != 0:
            raise SystemExit(f"{command} exited with {p.returncode}")
    return time.perf_counter() - start


OURS = ["worker", "--batch", "--queues", "default", "--interval", "0", "-v", "0"]
PLAIN = [
    "db_worker",
    "--batch",
    "--no-reload",
    "--no-startup-delay",
    "--interval",
    "0",
    "--queue-name",
    "default",
    "-v",
    "0",
]


def measure(url: str, task: str, n: int, command: list[str], workers: int = 1) -> tuple[float, float]:
    helper(url, "enqueue", task, str(n))
    wall = run_workers(url, command, workers)
    done, span = helper(url, "span").split()
    if int(done) != n:
        raise SystemExit(f"only {done} of {n} jobs succeeded")
    return n / float(span), wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--sleep-jobs", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=2, help="also run one worker with this many slots")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/academy_jobs_bench")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes, seconds: does the bench still work?"
    )
    args = parser.parse_args()
    if args.smoke:
        args.jobs, args.sleep_jobs = 10, 8
    tmp = Path(tempfile.mkdtemp(prefix="jobs-bench-"))
    databases = {"SQLite": f"sqlite:///{tmp / 'bench.sqlite3'}", "PostgreSQL": args.pg}
    print(f"jobs benchmark: {args.jobs} no-op jobs per run, {os.cpu_count()} CPUs")
    reset_database(args.pg)
    for name, url in databases.items():
        manage(url, "migrate", "--noinput", "-v", "0")
        ours, ours_wall = measure(url, "bench.sample_jobs.noop", args.jobs, OURS)
        plain, plain_wall = measure(url, "bench.sample_jobs.noop", args.jobs, PLAIN)
        print(
            f"{name:<11} worker (process per job): {ours:7.1f} jobs/s ({ours_wall:5.1f} s wall) | "
            f"db_worker: {plain:7.1f} jobs/s ({plain_wall:5.1f} s wall) | ratio {ours / plain:.2f}x"
        )
        if args.concurrency > 1:
            # still a process per job, but the worker claims and records while jobs run
            conc, _ = measure(
                url, "bench.sample_jobs.noop", args.jobs, [*OURS, "--concurrency", str(args.concurrency)]
            )
            print(
                f"{name:<11} worker --concurrency {args.concurrency}: {conc:7.1f} jobs/s | ratio {conc / plain:.2f}x"
            )
    pg = databases["PostgreSQL"]
    one, _ = measure(pg, "bench.sample_jobs.nap", args.sleep_jobs, OURS, workers=1)
    four, _ = measure(pg, "bench.sample_jobs.nap", args.sleep_jobs, OURS, workers=4)
    print(
        f"PostgreSQL  {args.sleep_jobs} x 50 ms jobs: 1 worker {one:.1f} jobs/s, 4 workers {four:.1f} jobs/s, "
        f"speed-up {four / one:.2f}x"
    )


def run_helper(argv: list[str]) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")
    django.setup()
    from django.db import transaction
    from django.db.models import Max, Min
    from django.utils.module_loading import import_string
    from django_tasks_db.models import DBTaskResult

    if argv[0] == "enqueue":
        DBTaskResult.objects.all().delete()
        task = import_string(argv[1])
        with transaction.atomic():
            for _ in range(int(argv[2])):
                task.enqueue()
    elif argv[0] == "span":
        done = DBTaskResult.objects.filter(status="SUCCESSFUL")
        agg = done.aggregate(start=Min("started_at"), end=Max("finished_at"))
        print(done.count(), (agg["end"] - agg["start"]).total_seconds())


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--_helper":
        run_helper(sys.argv[2:])
    else:
        main()
