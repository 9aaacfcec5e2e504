"""Benchmark: incident ingest against the app under gunicorn on loopback, with /healthz as the floor.

Not a test: it prints figures and compares them with the targets of the Incident Hub issues:
p99 under 50 ms at 200 reports/s; and, in a storm (a broken page sends --storm-rate reports/s for
--storm-seconds from --storm-users people while someone loads an ordinary admin page), that
page's p99 rises by less than 25 % over the same run's quiet phase, and every report is either
grouped or refused with 429 (none lost, none left waiting). The storm replaces the old
throughput-ratio target (ingest at least 0.4x /healthz), which is still printed.

    .venv/bin/python bench/incidents.py                       # fresh SQLite database in a temp dir
    .venv/bin/python bench/incidents.py --database-url postgres://postgres@127.0.0.1:5432/academy_incidents

Ingest answers 202 once the report is stored; a jobs worker groups it just after (as in
production, one `manage.py worker` runs beside gunicorn on the same two CPUs). After the ingest
phases the run waits for the worker to empty the inbox and prints how long that took and
whether every accepted report became an occurrence.

Phases, all in one run against one gunicorn (2 sync workers) and one worker:
  1. /healthz, closed loop: N requests from C concurrent clients (the floor);
  2. a logged-in no-op POST, closed loop (bench/floor_urls.py): what any logged-in, CSRF-checked
     POST costs before it does anything; the gap between 1 and 2 is the request pipeline's, the gap
     between 2 and 4 is ingest's own work;
  3. ingest, closed loop: N posts from C clients, a realistic ~1 KB report, half of them new groups,
     while the worker groups them (the target's figure);
  4. the same with the worker stopped: the endpoint alone; then a worker starts again and the
     run times how fast it groups that backlog;
  5. ingest, paced at --rate reports/s (open loop, C clients) for latency at the target rate;
  6. the storm, --storm-rounds times after the rounds (--phases storm runs it alone): an admin page paced at
     --page-rate requests/s for --storm-seconds with nothing else running (quiet, before), then the
     same while a process of its own sends a broken page's reports (one failure, a 500, from
     --storm-users logged-in people, each report its own request id) at --storm-rate reports/s
     from --storm-clients threads; then the run waits for the worker to group them all, counts
     them, and loads the page quietly once more (quiet, after). The page's timer, like a person's
     browser, shares no interpreter (no GIL) with the storm; the slowest page loads of each half
     are printed with when they happened. The storm's p99 is compared with the p99 of both
     quiet halves' loads (1,800): this machine's neighbours are periodic (a RabbitMQ node here starts
     an Erlang VM every 60 s, ~0.3 s of CPU), and with one quiet half before each storm, rounds
     ~60 s apart met that event in the storm half round after round. The page is loaded 30
     times a second, one load at a time, so that each half's p99 is the 9th slowest of 900
     loads: at 10 a second it was the 3rd slowest of 300, and one stray event on this shared
     machine moved it by half (quiet halves of the same run ranged 13.5-19.3 ms). The verdict is
     the median of the rounds' own rises, as for the phases above, and a round counts only if
     its storm was sent at 95 % of its rate or more (the sender runs at the lowest priority,
     standing for browsers elsewhere: see storm_senders).
The five phases run --rounds times (3), back to back within a round. Each round's figures are
printed, with where the machine's CPU time went in phases 1, 3 and 4 (gunicorn, the worker, the
clients, idle). The verdicts use medians: the throughput ratios are the median of each round's
own ratio (phases a few seconds apart), the p99 the median of the rounds' p99s. A shared
machine's speed drifts over a run, and a single round can land on a slow or fast stretch.
Clients are threads using http.client, a real session cookie and the CSRF token header; the
storm's send prepared requests on sockets of their own (storm_post), from a child process.
"""

import argparse
import http.client
import json
import multiprocessing
import multiprocessing.synchronize
import os
import queue
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import psutil
from pg import reset_database  # bench/pg.py, beside this script
from ports import free_ports

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


SETUP = """
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from accounts.models import Role, User
from academy.models import RateBucket
from incidents.models import Incident
Incident.objects.all().delete(); RateBucket.objects.all().delete()
user, _ = User.objects.get_or_create(email="bench@example.test", defaults={"role": Role.ADMIN})
user.set_password("bench-pass-2026-long"); user.save()
s = SessionStore()
s[SESSION_KEY] = str(user.pk); s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
s[HASH_SESSION_KEY] = user.get_session_auth_hash(); s.create()
print(s.session_key)
"""


STORM_SETUP = """
from django.contrib.sessions.backends.db import SessionStore
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from accounts.models import Role, User
for n in range({users}):
    user, _ = User.objects.get_or_create(email=f"storm{{n}}@example.test", defaults={{"role": Role.CUSTOMER}})
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk); s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    s[HASH_SESSION_KEY] = user.get_session_auth_hash(); s.create()
    print("session", s.session_key)
"""


def storm_report(i: int) -> bytes:
    """A broken page's report: the same failure every time (one incident), its own request id."""
    body = {
        "kind": "http",
        "ui_message": "Something went wrong on our side. It has been recorded.",
        "page_url": "http://127.0.0.1/portal/",
        "request": {
            "method": "GET",
            "url": "/portal/lessons/",
            "status": 500,
            "request_id": secrets.token_hex(16),
        },
        "response": {"error": {"code": "server_error", "message": "Something went wrong on our side."}},
        "breadcrumbs": ["12:00:00 open /portal/"],
    }
    return json.dumps(body).encode()


def report(i: int, run: str) -> bytes:
    new_group = i % 2 == 0
    code = f"bench_{run}_{i}" if new_group else "has_attendance"
    # The app's own lesson pages and delete URL, as the reporter on those pages would send them.
    body = {
        "kind": "http",
        "ui_message": "Failed to remove schedule. Please try again.",
        "page_url": f"http://127.0.0.1/admin/academic/lessons/{i}/",
        "request": {
            "method": "POST",
            "url": f"/admin/academic/lessons/{i}/delete/",
            "status": 409,
            "request_id": secrets.token_hex(16),
        },
        "response": {
            "error": {
                "code": code,
                "message": f"Cannot delete schedule {i} with 3 attendance records.",
                "request_id": secrets.token_hex(16),
            }
        },
        "entities": [f"lesson:{i}", f"student:{i % 97}"],
        "breadcrumbs": [
            f'12:00:{n:02d} click button "Delete lesson" on /admin/academic/lessons/{i}/' for n in range(8)
        ],
    }
    return json.dumps(body).encode()


class Client:
    def __init__(self, port: int, session: str, token: str) -> None:
        self.port = port
        self.headers = {
            "Cookie": f"sessionid={session}; csrftoken={token}",
            "X-CSRFToken": token,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Referer": f"http://127.0.0.1:{port}/admin/",
        }
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, float]:
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=self.headers)
            response = self.conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            status = 0
        return status, time.perf_counter() - start


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def run_phase[C](
    clients: list[C],
    total: int,
    call: Callable[[C, int], tuple[int, float]],
    rate: float = 0,
    timeline: list[tuple[float, float]] | None = None,
) -> dict[str, float]:
    """Closed loop (rate=0) or paced open loop: each client owns every len(clients)-th request.

    A timeline, if given, receives each request's (latency, seconds into the phase it began at)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    started = time.perf_counter()

    def worker(index: int, client: C) -> None:
        mine_l: list[float] = []
        mine_t: list[tuple[float, float]] = []
        mine_s: dict[int, int] = {}
        for i in range(index, total, len(clients)):
            if rate:
                due = started + i / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            began = time.perf_counter() - started
            status, latency = call(client, i)
            mine_l.append(latency)
            mine_t.append((latency, began))
            mine_s[status] = mine_s.get(status, 0) + 1
        with lock:
            latencies.extend(mine_l)
            if timeline is not None:
                timeline.extend(mine_t)
            for k, v in mine_s.items():
                statuses[k] = statuses.get(k, 0) + v

    threads = [threading.Thread(target=worker, args=(n, c)) for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "n": len(latencies),
        "seconds": elapsed,
        "throughput": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": p99(latencies) * 1000,
        "max_ms": latencies[-1] * 1000,
        "statuses": statuses,  # type: ignore[dict-item]
    }


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    with (Path(env["VAR_DIR"]) / "worker.log").open("a") as log:
        return subprocess.Popen(
            [PY, "manage.py", "worker", "--queues", "*"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def inbox_counts(env: dict[str, str]) -> tuple[int, int]:
    """(reports waiting to be grouped, occurrences), read straight from the database."""
    query = "SELECT (SELECT count(*) FROM {inbox}incidents_pendingreport), (SELECT count(*) FROM incidents_occurrence)"
    if env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            row = conn.execute(query.format(inbox="")).fetchone()
    else:
        # On SQLite the inbox is a file of its own beside the main one (incidents/inbox.py).
        with closing(sqlite3.connect(Path(env["VAR_DIR"]) / "academy.sqlite3", timeout=30)) as conn:
            conn.execute("ATTACH DATABASE ? AS inbox", [str(Path(env["VAR_DIR"]) / "academy-inbox.sqlite3")])
            row = conn.execute(query.format(inbox="inbox.")).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def browser_occurrences(env: dict[str, str]) -> int:
    """Occurrences recorded from browser reports (the storm's page loads may add backend ones)."""
    query = "SELECT count(*) FROM incidents_occurrence WHERE browser_reported_at IS NOT NULL"
    if env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            row = conn.execute(query).fetchone()
    else:
        with closing(sqlite3.connect(Path(env["VAR_DIR"]) / "academy.sqlite3", timeout=30)) as conn:
            row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])


def wait_for_grouping(env: dict[str, str], timeout: float = 300) -> tuple[int, float]:
    """Wait until the worker has grouped every accepted report: (still waiting, seconds waited)."""
    started = time.perf_counter()
    while True:
        waiting = inbox_counts(env)[0]
        waited = time.perf_counter() - started
        if not waiting or waited > timeout:
            return waiting, waited
        time.sleep(0.1)


def grouping_line(env: dict[str, str], reports: int) -> str:
    waiting, lag = wait_for_grouping(env)
    if waiting:
        log = (Path(env["VAR_DIR"]) / "worker.log").read_text().splitlines()[-20:]
        return (
            f"  grouping by the worker: {waiting} reports still waiting after {lag:.0f} s; its log:\n"
            + "\n".join(log)
        )
    return f"  grouped by the worker: inbox empty {lag:.1f} s after the last of these {reports} reports"


def line(name: str, r: dict[str, float]) -> str:
    return (
        f"{name:<28} {r['n']:>6.0f} req in {r['seconds']:6.2f}s  {r['throughput']:8.1f} req/s  "
        f"p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  max {r['max_ms']:7.1f} ms  {r['statuses']}"
    )


def phase_labels(rate: float) -> dict[str, str]:
    return {
        "health": "GET /healthz (floor)",
        "floor": "POST logged-in no-op",
        "ingest": "POST /api/incidents",
        "alone": "POST /api/incidents, no worker",
        "paced": f"POST /api/incidents @{rate:.0f}/s",
    }


def process_cpu(pid: int) -> float:
    """CPU seconds of a process and its children, running and finished; 0 once it has exited."""
    try:
        processes = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            t = process.cpu_times()
        except psutil.Error:
            continue  # ended between the listing and the reading
        total += t.user + t.system + t.children_user + t.children_system
    return total


def cpu_snapshot(server: subprocess.Popen[bytes], worker: subprocess.Popen[bytes] | None) -> dict[str, float]:
    me, machine = psutil.Process().cpu_times(), psutil.cpu_times()
    return {
        "gunicorn": process_cpu(server.pid),
        "worker": process_cpu(worker.pid) if worker is not None else 0.0,
        "clients": me.user + me.system,
        "idle": machine.idle + machine.iowait,
    }


def measured_phase(
    label: str,
    server: subprocess.Popen[bytes],
    worker: subprocess.Popen[bytes] | None,
    phase: Callable[[], dict[str, float]],
) -> dict[str, float]:
    """Run a phase; print its figures and where the machine's CPU time went meanwhile.

    Idle time is what the web workers could not use: mostly a wait for SQLite's one writer lock
    or for the database server, as the clients always have a request ready. "Other" is what no
    process of this run used: PostgreSQL's server processes, the kernel, other tenants."""
    before, started = cpu_snapshot(server, worker), time.perf_counter()
    figures = phase()
    after, seconds = cpu_snapshot(server, worker), time.perf_counter() - started
    capacity = seconds * (psutil.cpu_count() or 1)
    used = {name: after[name] - before[name] for name in before}
    used["other (database server, system)"] = capacity - sum(used.values())
    shares = ", ".join(f"{name} {100 * seconds_used / capacity:.0f}%" for name, seconds_used in used.items())
    print(line("  " + label, figures))
    print(f"    CPU time of the machine: {shares}")
    return figures


def one_round(
    env: dict[str, str],
    clients: list[Client],
    server: subprocess.Popen[bytes],
    worker: subprocess.Popen[bytes],
    args: argparse.Namespace,
    tag: str,
) -> tuple[subprocess.Popen[bytes], dict[str, dict[str, float]]]:
    """The phases once, back to back; the worker (restarted in phase 4) and each phase's figures."""
    n, labels = args.requests, phase_labels(args.rate)
    health = measured_phase(
        labels["health"],
        server,
        worker,
        lambda: run_phase(clients, n, lambda c, i: c.request("GET", "/healthz")),
    )
    floor = run_phase(clients, n, lambda c, i: c.request("POST", "/bench/logged-in-noop", report(i, tag)))
    print(line("  " + labels["floor"], floor))
    ingest = measured_phase(
        labels["ingest"],
        server,
        worker,
        lambda: run_phase(clients, n, lambda c, i: c.request("POST", "/api/incidents", report(i, tag))),
    )
    print(grouping_line(env, int(ingest["n"])))
    # The same, with the worker stopped: what the endpoint alone sustains, then how fast a
    # fresh worker groups the backlog. Stopped, not paused with SIGSTOP: paused inside a write
    # (a heartbeat, a batch) it would hold SQLite's one writer lock and block the endpoint.
    worker.terminate()
    worker.wait(timeout=60)
    alone = measured_phase(
        labels["alone"],
        server,
        None,
        lambda: run_phase(
            clients, n, lambda c, i: c.request("POST", "/api/incidents", report(i, "alone" + tag))
        ),
    )
    worker = start_worker(env)
    waiting, caught_up = wait_for_grouping(env)
    print(
        f"    worker started: grouped the {int(alone['n'])} waiting reports in {caught_up:.1f} s "
        f"({alone['n'] / caught_up:.0f} reports/s, including its start-up and first poll)"
        if not waiting
        else f"    worker started: {waiting} reports still waiting after {caught_up:.0f} s"
    )
    paced = run_phase(
        clients,
        args.paced_requests,
        lambda c, i: c.request("POST", "/api/incidents", report(i, "paced" + tag)),
        rate=args.rate,
    )
    print(line("  " + labels["paced"], paced))
    print(grouping_line(env, int(paced["n"])))
    return worker, {"health": health, "floor": floor, "ingest": ingest, "alone": alone, "paced": paced}


PAGE = "/admin/academic/students/"


def storm_post(port: int, head: bytes, body: bytes) -> tuple[int, float]:
    """One report as the storm sends it: a connection of its own, the request as prepared bytes,
    the answer read to its end (gunicorn closes the connection after it); its status and time.

    Not http.client: its request building and header parsing (email.parser) cost the storm's
    process ~0.25 of a core at 500 reports/s, taken from the two cores the app runs on. The
    browsers a storm comes from run elsewhere; the figure measures the app, not the sender."""
    start = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            answer = bytearray()
            while chunk := s.recv(65536):
                answer += chunk
        status = int(answer[9:12])
    except (OSError, ValueError):
        status = 0
    return status, time.perf_counter() - start


def storm_senders(
    port: int,
    sessions: list[str],
    token: str,
    args: argparse.Namespace,
    ready: "multiprocessing.synchronize.Event",
    results: "multiprocessing.Queue[dict[str, float]]",
) -> None:
    """The storm, sent from a process of its own (see storm_phase); its figures go back on results,
    with the CPU time this process used."""
    seconds = args.storm_seconds
    # Each report from the next of the storm's people: many people meet the broken page.
    heads = [
        (
            f"POST /api/incidents HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Cookie: sessionid={session}; csrftoken={token}\r\nX-CSRFToken: {token}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\n"
            f"Referer: http://127.0.0.1:{port}/portal/\r\nConnection: close\r\n"
        ).encode()
        for session in sessions
    ]
    # The lowest priority there is: the storm stands for browsers on other machines, so here it
    # takes only CPU time the app and the page's timer leave. At normal priority its ~0.13 of a
    # core, on the two cores the app runs on, added ~15 points to the page's p99 rise (PostgreSQL,
    # 3 rounds each: +10/+8/+29 % against -20/-13/+2 %). The run checks it still sent at its rate.
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    ready.set()
    started = time.process_time()
    deadline = time.perf_counter() + seconds

    def send(c: None, i: int) -> tuple[int, float]:
        if time.perf_counter() > deadline:  # a machine too slow for the rate stops on time
            return -1, 0.0
        return storm_post(port, heads[i % len(heads)], storm_report(i))

    figures = run_phase(
        [None] * args.storm_clients, int(args.storm_rate * seconds), send, rate=args.storm_rate
    )
    figures["cpu_seconds"] = time.process_time() - started
    results.put(figures)


def slowest(timeline: list[tuple[float, float]], count: int = 8) -> str:
    """The slowest requests of a phase, worst first, each with when it began: a burst at the start
    of the storm reads differently from slow loads spread over it."""
    worst = sorted(timeline, reverse=True)[:count]
    return ", ".join(f"{1000 * latency:.0f} ms @{began:.1f} s" for latency, began in worst)


def storm_phase(
    env: dict[str, str],
    page_client: "Client",
    port: int,
    sessions: list[str],
    token: str,
    args: argparse.Namespace,
) -> tuple[float, bool]:
    """Phase 6: an admin page's latency, quiet and in a storm of reports; then every report counted.

    The storm's senders run in a process of their own. The page is timed as a person's browser
    would see it, and a browser doesn't share an interpreter with other people's: with the
    senders as threads beside the page's timer, the storm phase measured the timer's waits for
    the GIL (up to the 5 ms switch interval per hand-over, among 16 busy threads), which the
    quiet phase doesn't have. Fork: the child needs nothing pickled, and the parent has no other
    threads when it forks (run_phase joins its own).

    Returns the page's p99 rise, and whether the storm was sent at its rate and every report was
    grouped or refused."""
    seconds = args.storm_seconds
    page_requests = int(args.page_rate * seconds)
    # Warm: each web process renders the page once or twice first (its templates, its queries'
    # first plans), so that neither half times a cold start.
    run_phase([page_client], 10, lambda c, i: c.request("GET", PAGE))

    def load_page(timeline: list[tuple[float, float]]) -> dict[str, float]:
        """The admin page, paced at --page-rate for the storm's length."""
        return run_phase(
            [page_client],
            page_requests,
            lambda c, i: c.request("GET", PAGE),
            rate=args.page_rate,
            timeline=timeline,
        )

    quiet_timeline: list[tuple[float, float]] = []
    print(line(f"  GET {PAGE} quiet, before", load_page(quiet_timeline)))
    occurrences_before = browser_occurrences(env)

    context = multiprocessing.get_context("fork")
    ready = context.Event()
    results: multiprocessing.Queue[dict[str, float]] = context.Queue()
    sender = context.Process(
        target=storm_senders, args=(port, sessions, token, args, ready, results), name="storm"
    )
    sender.start()
    if not ready.wait(timeout=60):
        sender.kill()
        raise RuntimeError("the storm's sender process did not start")
    loaded_timeline: list[tuple[float, float]] = []
    loaded = load_page(loaded_timeline)
    try:
        # The senders stop at the storm's deadline; a request then in flight has 30 s to answer.
        reports = results.get(timeout=seconds + 60)
    except queue.Empty:
        sender.kill()
        raise RuntimeError(
            f"the storm's sender process sent no figures (exit code {sender.exitcode})"
        ) from None
    sender.join()
    statuses: dict[int, int] = dict(reports["statuses"])  # type: ignore[call-overload]
    statuses.pop(-1, None)  # not sent: the storm's time was up
    sent = sum(statuses.values())
    ok_rate = sent >= 0.95 * args.storm_rate * seconds  # a storm the sender could not send proves nothing
    print(line(f"  GET {PAGE} in the storm", loaded))
    print(
        f"  storm: {sent} reports sent in {seconds:.0f} s ({sent / seconds:.0f}/s of {args.storm_rate:.0f}/s "
        f"asked) from {args.storm_users} people; answers {statuses}; the sending process used "
        f"{reports['cpu_seconds'] / seconds:.2f} of a CPU core"
    )
    if not ok_rate:
        print("  the storm was sent below 95 % of its rate: this round MISSED")
    print(f"  slowest page loads in the storm   (ms @ s into it): {slowest(loaded_timeline)}")
    waiting, lag = wait_for_grouping(env)
    grouped = browser_occurrences(env) - occurrences_before
    accepted, refused = statuses.get(202, 0), statuses.get(429, 0)
    other = sent - accepted - refused
    after_timeline: list[tuple[float, float]] = []
    print(line(f"  GET {PAGE} quiet, after", load_page(after_timeline)))
    print(f"  slowest page loads quiet, before (ms @ s into it): {slowest(quiet_timeline)}")
    print(f"  slowest page loads quiet, after  (ms @ s into it): {slowest(after_timeline)}")
    quiet_p99 = p99([latency for latency, _ in quiet_timeline + after_timeline]) * 1000
    rise = loaded["p99_ms"] / quiet_p99 - 1
    ok_rise = rise < 0.25
    ok_count = not waiting and grouped == accepted and other == 0
    print(
        f"  the admin page's p99 {quiet_p99:.1f} ms quiet (before and after the storm, "
        f"{len(quiet_timeline) + len(after_timeline)} loads) -> {loaded['p99_ms']:.1f} ms in the storm: "
        f"{100 * rise:+.0f} % (target < +25 %) {'OK' if ok_rise else 'MISSED'}"
    )
    print(
        f"  every report grouped or refused: {accepted} accepted -> {grouped} occurrences, {refused} refused "
        f"with 429, {other} other answers, {waiting} still waiting {lag:.1f} s after the storm "
        f"{'OK' if ok_count else 'MISSED'}"
    )
    return rise, ok_count and ok_rate


def median_phase(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure of a phase as its median over the rounds; the statuses summed."""
    merged: dict[str, float] = {
        key: statistics.median(r[key] for r in runs)
        for key in ("n", "seconds", "throughput", "p50_ms", "p99_ms", "max_ms")
    }
    statuses: dict[int, int] = {}
    for r in runs:
        for status, count in r["statuses"].items():  # type: ignore[attr-defined]
            statuses[status] = statuses.get(status, 0) + count
    merged["statuses"] = statuses  # type: ignore[assignment]
    return merged


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=200.0, help="paced phase, reports per second")
    parser.add_argument("--paced-requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of all phases; figures are medians")
    parser.add_argument(
        "--phases", default="classic,storm", help="classic (phases 1-5, in rounds), storm (phase 6), or both"
    )
    parser.add_argument("--storm-rate", type=float, default=500.0, help="reports per second in the storm")
    parser.add_argument("--storm-seconds", type=float, default=30.0)
    parser.add_argument("--storm-users", type=int, default=50, help="people the storm's reports come from")
    parser.add_argument("--storm-clients", type=int, default=16, help="threads sending the storm")
    parser.add_argument(
        "--storm-rounds", type=int, default=3, help="quiet-then-storm rounds; the verdict is their median"
    )
    parser.add_argument(
        "--page-rate", type=float, default=30.0, help="admin page loads per second, one at a time (storm)"
    )
    parser.add_argument(
        "--production-limits",
        action="store_true",
        help="keep ingest's rate limits at their defaults (the storm is then mostly refused with 429)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes, seconds: does the bench still work?"
    )
    args = parser.parse_args()
    if args.smoke:  # every phase, a few requests each; it fails only if a report is refused
        args.requests, args.paced_requests, args.rate, args.rounds, args.clients = 40, 20, 20.0, 1, 2
        args.storm_rate, args.storm_seconds, args.storm_clients, args.page_rate = 20.0, 3.0, 2, 2.0
        args.storm_rounds = 1
    warm = 20 if args.smoke else 200
    chosen = set(args.phases.split(","))

    tmp = Path(tempfile.mkdtemp(prefix="academy-bench-"))
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_hex(32),
        "EMAIL_BACKEND": "locmem",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "VAR_DIR": str(tmp),
        "LOG_LEVEL": "WARNING",
        # Persistent connections, as production runs: a new PostgreSQL connection per request
        # would measure connection set-up, not ingest.
        "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "60"),
        # The benchmark measures ingest, not the limiter's refusals: raise the limits.
        "INCIDENT_RATE_LIMIT_PER_MINUTE": "1000000",
        "INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE": "1000000",
        "INCIDENT_RATE_LIMIT_BURST": "1000000",
        "INCIDENT_RATE_LIMIT_PER_IP_BURST": "1000000",
        # The app's settings plus the no-op endpoint of phase 2.
        "DJANGO_SETTINGS_MODULE": "bench.floor_settings",
    }
    if args.production_limits:
        for name in (
            "INCIDENT_RATE_LIMIT_PER_MINUTE",
            "INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE",
            "INCIDENT_RATE_LIMIT_BURST",
            "INCIDENT_RATE_LIMIT_PER_IP_BURST",
        ):
            if name in os.environ:
                env[name] = os.environ[name]
            else:
                env.pop(name)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        if args.database_url.startswith("postgres"):
            reset_database(args.database_url)
    else:
        env.pop("DATABASE_URL", None)
    database = "PostgreSQL" if args.database_url.startswith("postgres") else f"SQLite ({tmp})"
    print(f"Preparing {database} ...", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    session = manage(env, "shell", "-c", SETUP).strip().splitlines()[-1]
    storm_sessions = []
    if "storm" in chosen:
        manage(env, "collectstatic", "--noinput")  # the storm times a page, which links its stylesheet
        out = manage(env, "shell", "-c", STORM_SETUP.format(users=args.storm_users))
        storm_sessions = [text.split()[1] for text in out.splitlines() if text.startswith("session ")]
    token = secrets.token_urlsafe(24)[:32].ljust(32, "a").replace("-", "a").replace("_", "b")

    (port,) = free_ports(1)
    worker = start_worker(env)
    server = subprocess.Popen(
        [
            GUNICORN,
            "academy.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.time() + 120  # a busy machine (CI, or a shared one) starts gunicorn slowly
        probe = Client(port, session, token)
        while probe.request("GET", "/healthz")[0] != 200:
            if time.time() > deadline or server.poll() is not None:
                print("gunicorn did not become healthy", file=sys.stderr)
                return 1
            time.sleep(0.2)
        clients = [Client(port, session, token) for _ in range(args.clients)]
        run_id = secrets.token_hex(3)
        # Warm-up: imports, connections, first incident rows.
        run_phase(clients, warm, lambda c, i: c.request("GET", "/healthz"))
        run_phase(clients, warm, lambda c, i: c.request("POST", "/api/incidents", report(i, "warm" + run_id)))
        run_phase(clients, warm, lambda c, i: c.request("POST", "/bench/logged-in-noop", report(i, "warm")))

        print(
            f"gunicorn {args.workers} sync workers on 127.0.0.1:{port}; {args.clients} clients; "
            f"report ~{len(report(1, run_id))} bytes; half of the reports start a new group; "
            f"DB_CONN_MAX_AGE={env['DB_CONN_MAX_AGE']}; load average before: {os.getloadavg()[0]:.1f}"
        )
        wait_for_grouping(env)  # the warm-up's reports
        occurrences_before = inbox_counts(env)[1]
        if "classic" in chosen:
            # The phases run in rounds, each round's phases back to back, and each figure is the
            # median of the rounds: this machine's speed drifts over a run (other tenants), and a
            # ratio of two phases run far apart would measure the drift.
            rounds: list[dict[str, dict[str, float]]] = []
            for number in range(1, args.rounds + 1):
                print(f"round {number} of {args.rounds}:")
                tag = f"{run_id}r{number}"
                worker, measured = one_round(env, clients, server, worker, args, tag)
                rounds.append(measured)
            print(f"medians of {args.rounds} rounds:")
            labels = phase_labels(args.rate)
            medians = {name: median_phase([r[name] for r in rounds]) for name in labels}
            for name, label in labels.items():
                print(line(label, medians[name]))
            health, floor, ingest, alone, paced = (medians[name] for name in labels)
            phases = [r[name] for r in rounds for name in ("ingest", "alone", "paced")]
            accepted = sum(r["statuses"].get(202, 0) for r in phases)  # type: ignore[attr-defined]
            all_ok = all(r["statuses"] == {202: r["n"]} for r in phases)

            ratio = statistics.median(r["ingest"]["throughput"] / r["health"]["throughput"] for r in rounds)
            alone_ratio = statistics.median(
                r["alone"]["throughput"] / r["health"]["throughput"] for r in rounds
            )
            ok_ratio = ratio >= 0.4
            ok_p99 = paced["p99_ms"] < 50 and paced["throughput"] >= args.rate * 0.95
            grouped = inbox_counts(env)[1] - occurrences_before
            print(f"every accepted report grouped: {grouped} occurrences for {accepted} reports")
            print(
                f"ingest/healthz throughput ratio, worker grouping on the same CPUs: {ratio:.2f} "
                f"(target >= 0.40) {'OK' if ok_ratio else 'MISSED'}; the endpoint alone (no worker): "
                f"{alone_ratio:.2f}; each the median of the rounds' own ratios"
            )
            print(
                f"p99 at {paced['throughput']:.0f} reports/s: {paced['p99_ms']:.1f} ms (target < 50 ms at "
                f"{args.rate:.0f}/s) {'OK' if ok_p99 else 'MISSED'}"
            )
            print(f"every report accepted (202): {'yes' if all_ok else 'NO'}")
            if args.smoke and not all_ok:
                return 1
            floor_ratio = floor["throughput"] / health["throughput"]
            print(
                f"where the time goes: a logged-in no-op POST runs at {floor_ratio:.2f}x /healthz (session, "
                f"user, CSRF, middleware); ingest alone runs at {alone['throughput'] / floor['throughput']:.2f}x "
                "that no-op (validation, scrubbing, and the report's INSERT with its rate-limit counts), "
                f"{ingest['throughput'] / floor['throughput']:.2f}x with the worker grouping beside it"
            )
        if "storm" in chosen:
            print("the storm (phase 6):")
            page_client = Client(port, session, token)
            rises, counted = [], []
            for number in range(1, args.storm_rounds + 1):
                print(f"storm round {number} of {args.storm_rounds}:")
                rise, all_counted = storm_phase(env, page_client, port, storm_sessions, token, args)
                rises.append(rise)
                counted.append(all_counted)
            median_rise = statistics.median(rises)
            storm_ok = median_rise < 0.25 and all(counted)
            print(
                f"the admin page's p99 rise in the storm, median of {len(rises)} round{'s' if len(rises) > 1 else ''}: "
                f"{100 * median_rise:+.0f} % "
                f"(rounds: {', '.join(f'{100 * r:+.0f} %' for r in rises)}; target < +25 %); every report "
                f"grouped or refused in every round: {'yes' if all(counted) else 'NO'}"
            )
            print(f"storm targets: {'OK' if storm_ok else 'MISSED'}")
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
