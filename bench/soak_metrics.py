"""After the soak: does /metrics (academy/metrics.py) agree with the database and the people?

All processes of the run share one PROMETHEUS_MULTIPROC_DIR (one machine), so a scrape of either
web instance adds up every gunicorn worker and job worker, the killed ones included (their
counters stay in their files). Counted events are compared with the rows they produced and with
what the people were answered; gauges read at scrape time are compared with the database.
"""

import urllib.request
from collections.abc import Callable

from prometheus_client.parser import text_string_to_metric_families
from soak_checks import JOBS, VIDEO_JOB, Checks, Verdict
from soak_traffic import Ledger

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(base: str, token: str) -> Samples:
    request = urllib.request.Request(f"{base}/metrics", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def total(
    samples: Samples, name: str, match: Callable[[dict[str, str]], bool] = lambda labels: True
) -> float:
    return sum(v for (n, labels), v in samples.items() if n == name and match(dict(labels)))


def agree(checks: Checks, ledger: Ledger, bases: list[str], token: str, worker_kills: int) -> Verdict:
    """Exact agreement, but for two things that happen between a commit and its count.

    The worker counts a job's outcome a moment after it records it, so a worker killed by -9 in
    between has recorded a success it never counted: at most one per kill. A completion committed whose answer was then lost (the database cut the connection
    just after) is counted as an upload completed only by the database; the person asks the
    upload's status and sees it done: at most one per completion answered 5xx or not at all."""
    scrapes = [scrape(base, token) for base in bases]
    m = scrapes[0]
    db = checks.q
    answered = {
        kind: sum(1 for k, _, _, status in ledger.requests if k == kind and status == code)
        for kind, code in (("incident report", 202), ("upload complete", 200))
    }
    pairs = [
        (
            "incident reports accepted",
            total(m, "academy_incident_reports_accepted_total"),
            float(len(ledger.reports)),
        ),
        (
            "POST api/incidents answered 202",
            total(
                m,
                "academy_http_requests_total",
                lambda la: la["route"] == "api/incidents" and la["status"] == "202",
            ),
            float(answered["incident report"]),
        ),
        (
            "uploads completed",
            total(m, "academy_uploads_completed_total"),
            float(db("SELECT count(*) FROM homework_uploadsession WHERE state = 'completed'")[0][0]),
        ),
        (
            "upload completions answered 200",
            total(
                m,
                "academy_http_requests_total",
                lambda la: la["route"].endswith("complete/") and la["status"] == "200",
            ),
            float(answered["upload complete"]),
        ),
        (
            "video jobs succeeded",
            total(
                m,
                "academy_jobs_finished_total",
                lambda la: la["task"] == VIDEO_JOB and la["outcome"] == "succeeded",
            ),
            float(
                db(f"SELECT count(*) FROM {JOBS} WHERE task_path = %s AND status = 'SUCCESSFUL'", VIDEO_JOB)[
                    0
                ][0]
            ),
        ),
        (
            "incidents open",
            total(m, "academy_incidents_open"),
            float(db("SELECT count(*) FROM incidents_incident WHERE status = 'open'")[0][0]),
        ),
    ]
    for role in ("original", "web", "poster"):
        pairs.append(
            (
                f"storage bytes ({role})",
                total(m, "academy_storage_bytes", lambda la, r=role: la["kind"] == r),  # type: ignore[misc]
                float(
                    db("SELECT coalesce(sum(size_bytes), 0) FROM media_mediavariant WHERE role = %s", role)[
                        0
                    ][0]
                ),
            )
        )
    lost_answers = sum(
        1 for k, _, _, status in ledger.requests if k == "upload complete" and status in (0, 500, 502, 503)
    )
    slack = {"video jobs succeeded": -worker_kills, "uploads completed": -lost_answers}

    def allowed(name: str, gap: float) -> bool:
        limit = slack.get(name, 0)
        return 0 <= gap <= limit if limit >= 0 else limit <= gap <= 0

    wrong = [
        f"{name}: /metrics {got:.0f}, database {want:.0f}"
        for name, got, want in pairs
        if not allowed(name, got - want)
    ]
    counted_then_killed = [
        f"{name}: /metrics {got:.0f}, database {want:.0f} (a commit and its count parted by a fault)"
        for name, got, want in pairs
        if got != want and allowed(name, got - want)
    ]
    both = all(
        total(s, "academy_uploads_completed_total") == total(m, "academy_uploads_completed_total")
        for s in scrapes
    )
    figure = "; ".join(f"{name} {got:.0f}" for name, got, _ in pairs)
    figure += f"; both web instances report the same totals: {'yes' if both else 'NO'}"
    if counted_then_killed:
        figure += "; within the kills' allowance: " + "; ".join(counted_then_killed)
    if wrong:
        figure += "; DISAGREE: " + "; ".join(wrong)
    return Verdict("/metrics agrees with the database", not wrong and both, figure)
