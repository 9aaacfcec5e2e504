"""Benchmark: daily task-instance generation and the cleanup, on SQLite and PostgreSQL in one run.

    .venv/bin/python bench/tasks.py [--tasks 100000] [--future 1000000] [--naive-sample N]

Each measured step runs in its own child process, which reports its wall time and its peak
resident memory (ru_maxrss of that process, interpreter and Django included):

- generate:  one `generate_task_instances` run over N active daily tasks (one student each);
- rerun:     the same run again (idempotent: must create 0 rows);
- naive:     a per-row `get_or_create` loop over the same (task, student) pairs, for the day
             before, so that it creates as many rows as the generator did;
- cleanup:   `task_instances_prune` over --future pre-generated future instances.

PostgreSQL uses postgres://postgres@127.0.0.1:5432/academy_bench_tasks (created if missing,
emptied before the run); BENCH_PG_URL overrides it. Not a test: it prints figures.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pg import reset_database  # bench/pg.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/academy_bench_tasks")


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _insert_select(days: list, status: str = "todo") -> None:
    """Bulk-load instances with INSERT … SELECT (setup only, not measured)."""
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cur:
        for day in days:
            cur.execute(
                "INSERT INTO academics_taskinstance (task_id, student_id, date, status, created_at) "
                "SELECT task_id, student_id, %s, %s, %s FROM academics_task_students",
                [day, status, timezone.now()],
            )


def step_setup(n_tasks: int) -> dict:
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from academics.models import Student, Task

    call_command("migrate", verbosity=0)
    start = timezone.localdate() - timedelta(days=1)
    batch = 10_000
    through = Task.students.through
    for offset in range(0, n_tasks, batch):
        size = min(batch, n_tasks - offset)
        students = Student.objects.bulk_create(
            [Student(first_name="S", last_name=str(offset + i)) for i in range(size)]
        )
        tasks = Task.objects.bulk_create(
            [Task(title=f"Daily {offset + i}", recurrence="daily", start_date=start) for i in range(size)]
        )
        through.objects.bulk_create(
            [through(task_id=t.pk, student_id=s.pk) for t, s in zip(tasks, students, strict=True)]
        )
    _analyze()
    return {"tasks": Task.objects.count()}


def _analyze() -> None:
    """Fresh bulk-loaded tables have no planner statistics yet; production tables do."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def step_generate() -> dict:
    from academics.tasks.services import generate_task_instances

    result = generate_task_instances()
    return {"due": result.due, "created": result.created}


def step_naive(sample: int) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from academics.models import Task, TaskInstance

    day = timezone.localdate() - timedelta(days=1)
    pairs = Task.students.through.objects.order_by("id").values_list("task_id", "student_id")
    if sample:
        pairs = pairs[:sample]
    created = 0
    for task_id, student_id in pairs.iterator(chunk_size=2000):
        _, made = TaskInstance.objects.get_or_create(task_id=task_id, student_id=student_id, date=day)
        created += made
    return {"created": created}


def step_load_future(n_future: int) -> dict:
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from academics.models import Task, TaskInstance

    n_tasks = Task.objects.count()
    days = -(-n_future // n_tasks)
    today = timezone.localdate()
    with transaction.atomic():
        _insert_select([today + timedelta(days=d) for d in range(1, days + 1)])
    _analyze()
    return {"future": TaskInstance.objects.filter(date__gt=today).count()}


def step_cleanup() -> dict:
    from academics.tasks.services import prune_rows, prune_summary, task_instances_prune

    t0 = time.perf_counter()
    plan = prune_summary()
    rows = sum(1 for _ in prune_rows())  # what the dry run streams to its table
    dry = time.perf_counter() - t0
    result = task_instances_prune(actor="bench")
    return {"dry_run_s": round(dry, 2), "planned": plan.total, "tasks": rows, "deleted": result.deleted}


def child(step: str, url: str, arg: int) -> None:
    _django(url)
    t0 = time.perf_counter()
    if step == "setup":
        out = step_setup(arg)
    elif step in ("generate", "rerun"):
        out = step_generate()
    elif step == "naive":
        out = step_naive(arg)
    elif step == "load_future":
        out = step_load_future(arg)
    else:
        out = step_cleanup()
    out["seconds"] = round(time.perf_counter() - t0, 2)
    # ru_maxrss is in KiB on Linux: the peak of this process, the whole interpreter included.
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print("RESULT " + json.dumps(out))


def run_step(step: str, url: str, arg: int = 0) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", step, "--url", url, "--arg", str(arg)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"step {step} failed on {url}:\n{proc.stdout}\n{proc.stderr}")


def bench(label: str, url: str, args: argparse.Namespace) -> dict | None:
    print(f"\n== {label} ({args.tasks:,} daily tasks, one student each) ==", flush=True)
    print(f"setup: {run_step('setup', url, args.tasks)}", flush=True)
    if args.cleanup_only:
        return cleanup(url, args)
    gen = run_step("generate", url)
    print(
        f"generate_task_instances: {gen['seconds']:.2f} s, peak RSS {gen['peak_rss_mb']} MB, created {gen['created']:,}"
    )
    again = run_step("rerun", url)
    print(
        f"second run (idempotent):  {again['seconds']:.2f} s, peak RSS {again['peak_rss_mb']} MB, created {again['created']:,}"
    )
    naive = run_step("naive", url, args.naive_sample)
    rows = args.naive_sample or args.tasks
    naive_full = naive["seconds"] * args.tasks / rows
    note = "" if rows == args.tasks else f" (measured on {rows:,} rows, scaled to {args.tasks:,})"
    print(
        f"naive get_or_create loop: {naive_full:.2f} s{note}, peak RSS {naive['peak_rss_mb']} MB, created {naive['created']:,}"
    )
    print(
        f"speed-up vs naive:        {naive_full / max(gen['seconds'], 1e-6):.1f}x (target >= 10x)", flush=True
    )
    clean = cleanup(url, args)
    ok = again["created"] == 0 and gen["peak_rss_mb"] < 300 and clean["peak_rss_mb"] < 200
    print(f"targets: rerun creates 0, generator < 300 MB, cleanup < 200 MB -> {'met' if ok else 'NOT met'}")
    return clean


def cleanup(url: str, args: argparse.Namespace) -> dict:
    load = run_step("load_future", url, args.future)
    print(f"loaded {load['future']:,} future instances in {load['seconds']:.1f} s", flush=True)
    clean = run_step("cleanup", url)
    print(
        f"prune --apply:            {clean['seconds']:.2f} s (dry-run plan {clean['dry_run_s']} s), "
        f"peak RSS {clean['peak_rss_mb']} MB, deleted {clean['deleted']:,}",
        flush=True,
    )
    return clean


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--future", type=int, default=1_000_000)
    parser.add_argument("--naive-sample", type=int, default=0, help="Time the naive loop on N rows only.")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--cleanup-only", action="store_true", help="Only the 1M-instance cleanup.")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes, seconds: does the bench still work?"
    )
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--arg", type=int, default=0)
    args = parser.parse_args()
    if args.smoke:
        args.tasks, args.future = 200, 2000
    if args.child:
        child(args.child, args.url, args.arg)
        return
    with tempfile.TemporaryDirectory() as tmp:
        bench("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args)
    if not args.skip_pg:
        reset_database(PG_URL)
        bench("PostgreSQL", PG_URL, args)


if __name__ == "__main__":
    main()
