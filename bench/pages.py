"""Benchmark: every admin and portal page at a small and a large academy, on SQLite and PostgreSQL.

    .venv/bin/python bench/pages.py [--small 1000] [--large 100000] [--skip-pg] [--smoke] [--pg URL]
    .venv/bin/python bench/pages.py --only audit      # only the pages labelled "audit ..."

For each database and each size a child process makes a fresh database, migrates it and fills it
with N rows of each kind (students, lessons with a student and an attendance row each, tasks with
a student and an instance each, homework with a media item each, incidents with an occurrence
each) and 10 N jobs and 10 N audit events (N = 100,000 gives the 1,000,000 the issue asks for).
The fill is INSERT ... SELECT over a numbers table, one statement a table, so even the million-row
tables take seconds. Then it times every admin and portal list page, the admin start page, each
detail page, a deep page of the audit log (a quarter of the way down), and the forms that choose
students (new lesson, series, task and customer; a lesson's edit form) or parents (a student's
new and edit forms; N / 10 customer accounts) with Django's test client
(logged in; median of --repeat runs after one warm-up), and a whole-series delete and restore
(52 lessons, 20 students each, all marked).

The table prints each page's time at both sizes and the ratio large/small. Targets (issue #21):
every page under 150 ms at the large size and at most 2x its small-size time; the series delete
and restore under 1 s each. --smoke runs tiny sizes in seconds (CI runs it so the bench keeps
working). PostgreSQL databases: postgres://postgres@127.0.0.1:5432/academy_bench_pages_<N>
(--pg gives another base name), dropped and made afresh. Not a test: it prints figures.

--only WORD (repeatable) times only the pages whose label contains one of the words, e.g.
`--only lesson` for the Lessons pages; the series delete/restore is timed only
when no --only is given or one of them is "series".
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pg import reset_database  # bench/pg.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS, TARGET_RATIO, SERIES_TARGET_S = 150.0, 2.0, 1.0


# -- the fill (child process) ------------------------------------------------------------------
class Dialect:
    """The few expressions SQLite and PostgreSQL spell differently; everything else is shared."""

    def __init__(self, vendor: str, now: int) -> None:
        self.pg = vendor == "postgresql"
        self.now = now

    def ts(self, seconds_ago: str) -> str:
        if self.pg:
            return f"to_timestamp({self.now} - ({seconds_ago}))"
        return f"strftime('%Y-%m-%d %H:%M:%f', {self.now} - ({seconds_ago}), 'unixepoch')"

    def day(self, days_ago: str) -> str:
        if self.pg:
            return f"(to_timestamp({self.now} - ({days_ago}) * 86400))::date"
        return f"date({self.now} - ({days_ago}) * 86400, 'unixepoch')"

    def uuid(self, n: str) -> str:
        if self.pg:
            return f"lpad(to_hex({n}), 32, '0')::uuid"
        return f"printf('%032x', {n})"

    def json(self, text: str) -> str:
        return f"({text})::jsonb" if self.pg else text


def _fill(n: int, big: int) -> dict[str, float]:
    """N rows of each kind, `big` jobs and audit events. Returns seconds per table."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from accounts.models import Role, User

    d = Dialect(connection.vendor, int(time.time()))
    admin = User.objects.create_user(
        email="bench-admin@example.test", full_name="Bench Admin", role=Role.ADMIN
    )
    parent = User.objects.create_user(email="bench-parent@example.test", full_name="Bench Parent")
    customers = max(n // 10, 2)
    pw = make_password(None)
    steps = [
        ("numbers", None),
        (
            "customers",
            "INSERT INTO accounts_user (password, is_superuser, email, full_name, role, is_active, is_staff,"
            f" date_joined) SELECT '{pw}', FALSE, 'c' || i || '@bench.test', 'Customer ' || i, 'customer',"
            f" TRUE, FALSE, {d.ts('i * 600')} FROM bench_n WHERE i <= {customers}",
        ),
        (
            "students",
            "INSERT INTO academics_student (first_name, last_name, school_year, notes, created_at, updated_at)"
            " SELECT 'Kid' || i, 'Family' || (i % 997), 'Year ' || (1 + i % 11), '',"
            f" {d.ts('i * 60')}, {d.ts('i * 60')} FROM bench_n WHERE i <= {n}",
        ),
        (
            "student customers",
            # the bench parent has two students; every other student belongs to a bench customer
            "INSERT INTO academics_student_customers (student_id, user_id) SELECT i, CASE WHEN i <= 2"
            f" THEN {parent.pk} ELSE {parent.pk} + 1 + i % {customers} END FROM bench_n WHERE i <= {n}",
        ),
        (
            "lessons",
            # one an hour around now: half past, half to come
            "INSERT INTO academics_lesson (subject, tutor, location, starts_at, ends_at, created_at)"
            f" SELECT 'Subject ' || (i % 20), 'Tutor ' || (i % 30), '', {d.ts(f'(i - {n} / 2) * 3600')},"
            f" {d.ts(f'(i - {n} / 2) * 3600 - 3600')}, {d.ts(f'{n} * 3600')} FROM bench_n WHERE i <= {n}",
        ),
        (
            "lesson students",
            f"INSERT INTO academics_lesson_students (lesson_id, student_id) SELECT i, 1 + i % {n}"
            f" FROM bench_n WHERE i <= {n}",
        ),
        (
            "attendance",
            "INSERT INTO academics_attendance (lesson_id, student_id, status, note, marked_by_id, marked_at)"
            f" SELECT lesson_id, student_id, 'present', '', {admin.pk}, {d.ts('0')}"
            " FROM academics_lesson_students",
        ),
        (
            "tasks",
            "INSERT INTO academics_task (title, instructions, recurrence, start_date, is_active, created_at)"
            f" SELECT 'Task ' || i, '', CASE WHEN i % 2 = 0 THEN 'daily' ELSE 'none' END, {d.day('i % 60')},"
            f" TRUE, {d.ts('i * 60')} FROM bench_n WHERE i <= {n}",
        ),
        (
            "task students",
            f"INSERT INTO academics_task_students (task_id, student_id) SELECT i, 1 + i % {n}"
            f" FROM bench_n WHERE i <= {n}",
        ),
        (
            "task instances",
            "INSERT INTO academics_taskinstance (task_id, student_id, date, status, created_at)"
            f" SELECT task_id, student_id, {d.day('task_id % 30')}, 'todo', {d.ts('0')}"
            " FROM academics_task_students",
        ),
        (
            "homework",
            "INSERT INTO homework_homework (title, status, review_comment, created_at, student_id,"
            " submitted_by_id) SELECT 'Homework ' || i, CASE WHEN i % 3 = 0 THEN 'reviewed' ELSE"
            f" 'submitted' END, '', {d.ts('i * 60')}, 1 + i % {n}, {parent.pk} FROM bench_n WHERE i <= {n}",
        ),
        (
            "media items",
            # a third each: videos, images, documents
            "INSERT INTO media_mediaitem (original_name, kind, content_type, size_bytes, created_at,"
            " uploader_id) SELECT 'file-' || i || CASE i % 3 WHEN 0 THEN '.mp4'"
            " WHEN 1 THEN '.jpg' ELSE '.pdf' END, CASE i % 3 WHEN 0 THEN 'video' WHEN 1 THEN 'image' ELSE"
            " 'document' END, CASE i % 3 WHEN 0 THEN 'video/mp4' WHEN 1 THEN 'image/jpeg' ELSE"
            f" 'application/pdf' END, 1000 + (i * 7919) % 50000000, {d.ts('i * 60')},"
            f" {parent.pk} FROM bench_n WHERE i <= {n}",
        ),
        (
            "homework files",
            # each media item is the file of the homework with its number (media knows no homework)
            "INSERT INTO homework_homeworkfile (homework_id, media_item_id) SELECT id, id FROM media_mediaitem",
        ),
        (
            "media variants",
            "INSERT INTO media_mediavariant (item_id, role, storage_key, size_bytes, content_type, codec,"
            " checksum_sha256, created_at) SELECT id, 'original', 'bench/o/' || id, size_bytes,"
            " content_type, '', '', created_at FROM media_mediaitem",
        ),
        (
            "web variants",
            # four videos in five are optimised (web MP4 + poster); the rest have their original only
            "INSERT INTO media_mediavariant (item_id, role, storage_key, size_bytes, content_type, codec,"
            " checksum_sha256, created_at) SELECT id, r.role, 'bench/' || r.role || '/' || id, size_bytes / 3,"
            " 'video/mp4', '', '', created_at FROM media_mediaitem, (SELECT 'web' AS role UNION ALL"
            " SELECT 'poster') r WHERE kind = 'video' AND id % 5 <> 0",
        ),
        (
            "jobs",
            # 10 N: mostly succeeded over the last 30 days, 1% failed, 0.1% pending; every 50th
            # is a media optimise job, for the video items left with their original only
            "INSERT INTO django_tasks_database_dbtaskresult (id, args_kwargs, priority, task_path,"
            " queue_name, backend_name, run_after, enqueued_at, started_at, finished_at, return_value,"
            f" exception_class_path, traceback, worker_ids, status) SELECT {d.uuid('i')},"
            f" {d.json('\'{"args": [\' || i || \'], "kwargs": {}}\'')}, 0, CASE WHEN i % 50 = 0 THEN"
            " 'media.tasks.process_video_proof' ELSE 'jobs.tasks.task_' || (i % 7) END, 'default', 'default',"
            f" {d.ts(f'i * 2592000 / {big}')}, {d.ts(f'i * 2592000 / {big}')},"
            f" {d.ts(f'i * 2592000 / {big} - 1')}, CASE WHEN i % 1000 = 1 THEN NULL ELSE"
            f" {d.ts(f'i * 2592000 / {big} - 2')} END, NULL, CASE WHEN i % 100 = 7 THEN 'builtins.ValueError'"
            " ELSE '' END, '', '[]', CASE WHEN i % 1000 = 1 THEN 'READY' WHEN i % 100 = 7 THEN 'FAILED'"
            f" ELSE 'SUCCESSFUL' END FROM bench_n WHERE i <= {big}",
        ),
        (
            "job info",
            f"INSERT INTO jobs_jobinfo (job_id, key, request_id, attempt, cause, reason) SELECT {d.uuid('i')},"
            f" CASE WHEN i % 50 = 0 THEN 'media:' || (15 * (i / 50 % {max(n // 15, 1)})) ELSE '' END, '', 1,"
            " 'dispatch', CASE WHEN i % 100 = 7 THEN 'ValueError: bench' ELSE '' END"
            f" FROM bench_n WHERE i <= {big}",
        ),
        (
            "incidents",
            "INSERT INTO incidents_incident (fingerprint, source, level, title, route, method, status_code,"
            " error_code, message, latest_message, triage_reason, status, first_seen, last_seen,"
            " occurrence_count) SELECT 'fp' || i,"
            " CASE WHEN i % 2 = 0 THEN 'browser' ELSE 'backend' END, 'error', 'Failure ' || i, '/r/' ||"
            f" (i % 50), 'GET', 500, 'e' || (i % 40), 'm', 'm', '', CASE WHEN i % 4 = 0 THEN 'resolved' ELSE 'open'"
            f" END, {d.ts('i * 600')}, {d.ts('i * 60')}, 1 FROM bench_n WHERE i <= {n}",
        ),
        (
            "occurrences",
            "INSERT INTO incidents_occurrence (source, actor_type, method, url, route, status_code, page_url,"
            " ui_message, breadcrumbs, user_agent, error_code, backend_message, exception_type, traceback,"
            " request_id, job_id, task_name, created_at, incident_id) SELECT source, 'admin', 'GET', route,"
            f" route, 500, '', 'It failed', {d.json("'[]'")}, '', error_code, message, '', '', 'req' || id,"
            " '', '', last_seen, id FROM incidents_incident",
        ),
        (
            "audit events",
            "INSERT INTO audit_auditevent (actor_id, actor_label, action, entity_kind, entity_id, outcome,"
            f" request_id, created_at) SELECT {admin.pk}, 'Bench Admin', CASE i % 3 WHEN 0 THEN"
            " 'student.update' WHEN 1 THEN 'lesson.create' ELSE 'attendance.mark' END, CASE i % 3 WHEN 0"
            f" THEN 'student' ELSE 'lesson' END, '' || (1 + i % {n}), 'ok', '', {d.ts(f'i * 2592000 / {big}')}"
            f" FROM bench_n WHERE i <= {big}",
        ),
    ]
    seconds: dict[str, float] = {}
    with connection.cursor() as cur:
        for name, sql in steps:
            start = time.perf_counter()
            if sql is None:  # the numbers table 1..max(n, big): each fill below is one statement
                _numbers(cur, d, max(n, big, customers))
            else:
                cur.execute(sql)
            seconds[name] = time.perf_counter() - start
        start = time.perf_counter()
        cur.execute("DROP TABLE bench_n")
        # PostgreSQL: VACUUM too, as autovacuum has long done to a table filled over a month;
        # a table only just filled makes every index-only scan fetch each row from the heap.
        cur.execute("VACUUM ANALYZE" if d.pg else "ANALYZE")
        if d.pg:  # rows inserted with explicit ids leave the sequences behind
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('academics_lesson', 'id'), max(id)) FROM academics_lesson"
            )
        seconds["analyze"] = time.perf_counter() - start
    return seconds


def _numbers(cur, d: Dialect, top: int) -> None:
    if d.pg:
        cur.execute(
            f"CREATE TABLE bench_n AS SELECT generate_series(1, {top})::bigint AS i"
        )  # i * seconds passes 2^31
        return
    cur.execute("CREATE TABLE bench_n (i INTEGER PRIMARY KEY)")
    cur.execute(
        f"WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {top})"
        " INSERT INTO bench_n SELECT i FROM c"
    )


# -- the timings (child process) ---------------------------------------------------------------
def _pages(n: int) -> list[tuple[str, str, str]]:
    """(label, who, url) for every page timed; detail pages of a row in the middle of the data."""
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult

    from academics.lessons.models import Lesson
    from academics.tasks.models import Task
    from audit.models import AuditEvent
    from homework.models import Homework
    from incidents.models import Incident
    from media.models import MediaItem

    mid = max(n // 2, 1)
    lesson = Lesson.objects.order_by("id")[mid - 1]
    # A quarter of the way down the log (page 5,000 of 1,000,000 events at 50 a page): the
    # audit log pages from an event's place, so this must cost what the first page does.
    deep = AuditEvent.objects.order_by("-created_at", "-id").values_list("pk", flat=True)[10 * n // 4]
    job = DBTaskResult.objects.filter(status="FAILED").order_by("enqueued_at").first()
    parent_student = 1
    return [
        ("admin start (students)", "admin", reverse("academics:student_list")),
        ("students", "admin", reverse("academics:student_list")),
        ("student detail", "admin", reverse("academics:student_detail", args=[mid])),
        ("lessons (list)", "admin", reverse("academics:lesson_list")),
        ("lessons (week)", "admin", reverse("academics:lesson_week")),
        ("lesson detail", "admin", reverse("academics:lesson_detail", args=[lesson.pk])),
        # The forms that choose students: a search box past 50 students, never a box each.
        ("lesson new", "admin", reverse("academics:lesson_create")),
        ("lesson edit", "admin", reverse("academics:lesson_edit", args=[lesson.pk])),
        ("series new", "admin", reverse("academics:series_create")),
        ("task new", "admin", reverse("academics:task_create")),
        ("customer new", "admin", reverse("accounts:customer_create")),
        # The forms that choose parents (N / 10 customer accounts): the same search box.
        ("student new", "admin", reverse("academics:student_create")),
        ("student edit", "admin", reverse("academics:student_edit", args=[mid])),
        ("tasks", "admin", reverse("academics:task_list")),
        (
            "task detail",
            "admin",
            reverse("academics:task_detail", args=[Task.objects.order_by("id")[mid - 1].pk]),
        ),
        ("homework", "admin", reverse("homework:admin_list")),
        (
            "homework detail",
            "admin",
            reverse("homework:admin_detail", args=[Homework.objects.order_by("id")[mid - 1].pk]),
        ),
        ("customers", "admin", reverse("accounts:customer_list")),
        ("audit log", "admin", reverse("audit:log")),
        ("audit log (one kind)", "admin", reverse("audit:log") + "?kind=student"),
        ("audit log (action)", "admin", reverse("audit:log") + "?action=attendance."),
        ("audit log (deep)", "admin", reverse("audit:log") + f"?older={deep}"),
        ("jobs", "admin", reverse("jobs:insights")),
        ("jobs (failed)", "admin", reverse("jobs:insights") + "?tab=failed"),
        ("job detail", "admin", reverse("jobs:detail", args=[str(job.pk)]) if job else ""),
        ("media", "admin", reverse("media:insights")),
        ("media (eligible)", "admin", reverse("media:insights") + "?state=eligible"),
        (
            "media detail",
            "admin",
            reverse("media:detail", args=[MediaItem.objects.order_by("id")[mid - 1].pk]),
        ),
        ("incidents", "admin", reverse("incidents:list")),
        (
            "incident detail",
            "admin",
            reverse("incidents:detail", args=[Incident.objects.order_by("id")[mid - 1].pk]),
        ),
        ("portal home", "parent", reverse("portal:home")),
        ("portal student", "parent", reverse("portal:student", args=[parent_student])),
        ("portal homework", "parent", reverse("portal:homework")),
        ("portal lessons", "parent", reverse("portal:lessons")),
        ("portal tasks", "parent", reverse("portal:tasks")),
    ]


def _wanted(label: str, only: list[str]) -> bool:
    return not only or any(word in label for word in only)


def _time_pages(n: int, repeat: int, only: list[str]) -> dict[str, float]:
    from django.test import Client

    from accounts.models import User

    clients = {}
    for who in ("admin", "parent"):
        client = Client()
        client.force_login(User.objects.get(email=f"bench-{who}@example.test"))
        clients[who] = client
    timings: dict[str, float] = {}
    for label, who, url in _pages(n):
        if not url or not _wanted(label, only):
            continue
        response = clients[who].get(url)  # warm-up, and the page must work
        if response.status_code != 200:
            raise SystemExit(f"{label}: {url} answered {response.status_code}")
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            clients[who].get(url)
            runs.append(time.perf_counter() - start)
        timings[label] = statistics.median(runs) * 1000
    return timings


def _time_series(weeks: int, pupils: int) -> dict[str, float]:
    """Delete then restore a whole weekly series with every student marked (seconds each)."""
    from datetime import date, datetime, timedelta
    from datetime import time as dtime

    from django.utils import timezone

    from academics.lessons import deletion
    from academics.lessons.models import Attendance, Lesson, LessonSeries
    from academics.models import Student
    from accounts.models import User

    admin = User.objects.get(email="bench-admin@example.test")
    students = list(Student.objects.order_by("id")[:pupils])
    start = date(2020, 1, 6)  # far from the filled lessons: no clash on restore
    series = LessonSeries.objects.create(
        subject="Bench", tutor="Bench", weekdays=[0], start_time=dtime(7), end_time=dtime(8),
        start_date=start, count=weeks,
    )  # fmt: skip
    series.students.set(students)
    tz = timezone.get_current_timezone()
    made = Lesson.objects.bulk_create(
        Lesson(series=series, series_date=start + timedelta(weeks=w), subject="Bench", tutor="Bench",
               starts_at=datetime.combine(start + timedelta(weeks=w), dtime(7), tz),
               ends_at=datetime.combine(start + timedelta(weeks=w), dtime(8), tz))
        for w in range(weeks)
    )  # fmt: skip
    made = list(Lesson.objects.filter(series=series))
    Lesson.students.through.objects.bulk_create(
        Lesson.students.through(lesson_id=lsn.pk, student_id=s.pk) for lsn in made for s in students
    )
    Attendance.objects.bulk_create(
        Attendance(lesson=lsn, student=s, status="present", marked_by=admin, marked_at=lsn.ends_at)
        for lsn in made
        for s in students
    )
    t0 = time.perf_counter()
    result = deletion.lesson_delete(actor=admin, lesson=made[0], scope=deletion.DeleteScope.SERIES)
    t1 = time.perf_counter()
    deletion.lesson_restore(actor=admin, event_id=result.event.pk)
    t2 = time.perf_counter()
    assert Attendance.objects.filter(lesson__series=series).count() == weeks * pupils
    return {"delete": t1 - t0, "restore": t2 - t1}


def child(url: str, n: int, big: int, args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")
    os.environ["LOG_LEVEL"] = "ERROR"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - start
    start = time.perf_counter()
    fill = _fill(n, big)
    fill_s = time.perf_counter() - start
    pages = _time_pages(n, args.repeat, args.only)
    series = _time_series(args.weeks, args.pupils) if _wanted("series", args.only) else {}
    print(
        "RESULT "
        + json.dumps(
            {"migrate": migrate_s, "fill": fill_s, "fill_steps": fill, "pages": pages, "series": series}
        )
    )


# -- the run (parent) --------------------------------------------------------------------------
def run_child(url: str, n: int, big: int, args: argparse.Namespace) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        url,
        "--n",
        str(n),
        "--big",
        str(big),
        "--repeat",
        str(args.repeat),
    ]
    cmd += ["--weeks", str(args.weeks), "--pupils", str(args.pupils)]
    for word in args.only:
        cmd += ["--only", word]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(
        f"bench/pages.py child failed on {url} (N={n}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    )


def report(label: str, small: dict, large: dict, args: argparse.Namespace) -> bool:
    print(
        f"\n== {label}: N = {args.small:,} vs {args.large:,} (jobs, audit events {10 * args.small:,} vs {10 * args.large:,}) =="
    )
    for name, result in (("small", small), ("large", large)):
        slow = sorted(result["fill_steps"].items(), key=lambda kv: -kv[1])[:3]
        print(
            f"{name}: migrate {result['migrate']:.1f} s, fill {result['fill']:.1f} s"
            f" (slowest: {', '.join(f'{k} {v:.1f} s' for k, v in slow)})"
        )
    print(f"{'page':<26}{'small ms':>10}{'large ms':>10}{'ratio':>8}  verdict")
    ok = True
    for page, small_ms in small["pages"].items():
        large_ms = large["pages"][page]
        ratio = large_ms / small_ms
        good = large_ms < TARGET_MS and ratio <= TARGET_RATIO
        ok &= good
        print(f"{page:<26}{small_ms:>10.1f}{large_ms:>10.1f}{ratio:>8.2f}  {'ok' if good else 'SLOW'}")
    for step in large["series"]:
        s, big = small["series"][step], large["series"][step]
        good = big < SERIES_TARGET_S
        ok &= good
        print(
            f"series {step} ({args.weeks} lessons x {args.pupils} students): {s * 1000:.0f} ms small,"
            f" {big * 1000:.0f} ms large  {'ok' if good else 'SLOW'}"
        )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each page (median)")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--pupils", type=int, default=20)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument(
        "--skip-sqlite", action="store_true", help="e.g. to run the two databases side by side"
    )
    parser.add_argument(
        "--pg", default="postgres://postgres@127.0.0.1:5432/academy_bench_pages", help="base URL"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes, a few seconds: does the bench still work?"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="WORD",
        help="time only the pages whose label contains WORD (repeatable); 'series' for delete/restore",
    )
    parser.add_argument("--child")
    parser.add_argument("--n", type=int)
    parser.add_argument("--big", type=int)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.n, args.big, args)
        return 0
    if args.smoke:
        args.small, args.large, args.repeat, args.weeks, args.pupils = 30, 60, 1, 3, 2
    started = time.perf_counter()
    verdicts = []
    with tempfile.TemporaryDirectory() as tmp:
        runs = (
            []
            if args.skip_sqlite
            else [
                run_child(f"sqlite:///{tmp}/{size}.sqlite3", size, 10 * size, args)
                for size in (args.small, args.large)
            ]
        )
        if runs:
            verdicts.append(report("SQLite", runs[0], runs[1], args))
    if not args.skip_pg:
        runs = []
        for size in (args.small, args.large):
            url = f"{args.pg}_{size}"
            reset_database(url)
            runs.append(run_child(url, size, 10 * size, args))
        verdicts.append(report("PostgreSQL", runs[0], runs[1], args))
    print(
        f"\nwhole run {time.perf_counter() - started:.0f} s; targets {'met' if all(verdicts) else 'NOT met'}"
    )
    # A smoke run proves the bench works; its tiny timings are not the verdict.
    return 0 if args.smoke or all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
