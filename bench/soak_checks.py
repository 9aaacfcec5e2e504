"""What must hold after the soak, read straight from the database (one connection, plain SQL).

Each check returns Verdict(name, ok, figure): the figure says what was counted, so a pass is
as informative as a failure. The people's ledger (soak_traffic.Ledger) is what the platform
confirmed to them; the database must agree with it.
"""

import itertools
import re
from dataclasses import dataclass
from typing import Any

import psycopg
from soak_faults import Fault
from soak_traffic import Ledger

VIDEO_JOB = "media.tasks.process_video_proof"
JOBS = "django_tasks_database_dbtaskresult"


@dataclass(frozen=True)
class Verdict:
    name: str
    ok: bool
    figure: str


def _human(reason: str) -> str:
    """As the Media page shows a failure (media.jobstate._human): the message, not the class."""
    head, sep, rest = reason.partition(": ")
    return rest if sep and head.replace(".", "").isidentifier() else reason


def _is_human(text: str) -> bool:
    return bool(text) and text[0].isupper() and "Traceback" not in text and not re.search(r"\w+Error\b", text)


class Checks:
    def __init__(self, database_url: str, ledger: Ledger, memory_limit: int) -> None:
        self.db = psycopg.connect(database_url, autocommit=True)
        self.ledger = ledger
        self.memory_limit = memory_limit

    def q(self, sql: str, *params: Any) -> list[tuple]:
        return [
            tuple(float(v) if type(v).__name__ == "Decimal" else v for v in row)
            for row in self.db.execute(sql, params).fetchall()
        ]

    def pending_video_jobs(self) -> int:
        return int(
            self.q(
                f"SELECT count(*) FROM {JOBS} WHERE status IN ('READY','RUNNING') AND task_path=%s", VIDEO_JOB
            )[0][0]
        )

    def all(self, *, unexpected_exits: list[str], peak_job_rss: int) -> list[Verdict]:
        return [
            self.uploads(),
            self.every_video(),
            self.nothing_processing(),
            self.dispatch_keys(),
            self.reports(),
            self.task_instances(),
            self.periods(),
            self.lessons(),
            self.audit(),
            self.optimise_clicks(),
            self.memory(peak_job_rss),
            Verdict(
                "no process died but those the soak killed",
                not unexpected_exits,
                f"{len(unexpected_exits)} unexpected exits"
                + (f": {'; '.join(unexpected_exits)}" if unexpected_exits else ""),
            ),
        ]

    def _variants(self) -> dict[int, list[str]]:
        rows = self.q("SELECT item_id, role FROM media_mediavariant ORDER BY role")
        found: dict[int, list[str]] = {}
        for item, role in rows:
            found.setdefault(item, []).append(role)
        return found

    def _last_video_job(self) -> dict[int, tuple[str, str, int]]:
        """media id -> (status, reason, attempt) of its latest optimise job."""
        rows = self.q(
            f"SELECT i.key, j.status, i.reason, i.attempt FROM {JOBS} j JOIN jobs_jobinfo i ON i.job_id = j.id "
            "WHERE j.task_path = %s ORDER BY j.enqueued_at",
            VIDEO_JOB,
        )
        return {int(key.split(":")[1]): (status, reason, attempt) for key, status, reason, attempt in rows}

    def uploads(self) -> Verdict:
        """Each upload a parent saw confirmed has what its kind calls for."""
        variants, jobs = self._variants(), self._last_video_job()
        want = {"video": ["original", "poster", "web"], "unreadable": ["original"], "document": ["original"]}
        wrong, counts = [], {"video": 0, "unreadable": 0, "document": 0}
        for media, kind, name in self.ledger.uploads:
            counts[kind] += 1
            have = variants.get(media, [])
            problem = have != want[kind]
            if kind == "unreadable":
                status, reason, _ = jobs.get(media, ("none", "", 0))
                problem = problem or status != "FAILED" or not _is_human(_human(reason))
            if problem:
                wrong.append(f"{name} (media {media}): variants {have}, job {jobs.get(media)}")
        failed = len(self.ledger.uploads_failed)
        figure = (
            f"{counts['video']} readable videos with exactly original+web+poster, {counts['unreadable']} "
            f"unreadable with only the original and a permanent failure a person can read, "
            f"{counts['document']} documents with only the original; {failed} uploads the people gave up on"
        )
        if wrong:
            figure += f"; WRONG: {len(wrong)}: " + "; ".join(wrong[:5])
        return Verdict("every completed upload has exactly its variants", not wrong, figure)

    def every_video(self) -> Verdict:
        """The same from the database's side: every video item, whoever uploaded it."""
        variants, jobs = self._variants(), self._last_video_job()
        rows = self.q("SELECT id FROM media_mediaitem WHERE kind = 'video'")
        optimised = failed = 0
        wrong = []
        for (media,) in rows:
            have, job = variants.get(media, []), jobs.get(media)
            if have == ["original", "poster", "web"]:
                optimised += 1
            elif have == ["original"] and job and job[0] == "FAILED" and _is_human(_human(job[1])):
                failed += 1
            else:
                wrong.append(f"media {media}: {have}, job {job}")
        figure = (
            f"{len(rows)} video items: {optimised} optimised, {failed} failed permanently with a human reason"
        )
        if wrong:
            figure += f"; WRONG {len(wrong)}: " + "; ".join(wrong[:5])
        return Verdict("every video item is optimised or failed with a reason", not wrong, figure)

    def nothing_processing(self) -> Verdict:
        jobs = self.q(
            f"SELECT task_path, status, count(*) FROM {JOBS} WHERE status IN ('READY','RUNNING') GROUP BY 1, 2"
        )
        videos = sum(n for path, _, n in jobs if path == VIDEO_JOB)
        sessions = self.q(
            "SELECT count(*) FROM homework_uploadsession s WHERE s.state = 'open' AND s.media_item_id IS NOT NULL"
        )[0][0]
        others = ", ".join(f"{p.rsplit('.', 1)[-1]} {s.lower()} {n}" for p, s, n in jobs if p != VIDEO_JOB)
        return Verdict(
            "nothing left processing",
            videos == 0 and sessions == 0,
            f"{videos} video jobs ready or running, {sessions} confirmed uploads still open"
            + (f" (periodic jobs in their normal cycle: {others})" if others else ""),
        )

    def dispatch_keys(self) -> Verdict:
        """No two jobs of one key were ever live at once: each attempt starts after the last ended."""
        rows = self.q(
            f"SELECT i.key, j.enqueued_at, j.finished_at FROM {JOBS} j JOIN jobs_jobinfo i ON i.job_id = j.id "
            "WHERE i.key <> '' ORDER BY i.key, j.enqueued_at"
        )
        overlaps, keys, last_end, last_key = [], set(), None, None
        for key, enqueued, finished in rows:
            keys.add(key)
            if key == last_key and (last_end is None or enqueued < last_end):
                overlaps.append(key)
            last_key, last_end = key, finished
        holders = self.q(
            f"SELECT count(*) FROM jobs_dispatchkey k JOIN {JOBS} j ON j.id = k.job_id WHERE j.status NOT IN ('READY','RUNNING')"
        )[0][0]
        return Verdict(
            "no dispatch key ever had two live jobs",
            not overlaps and holders == 0,
            f"{len(rows)} keyed jobs over {len(keys)} keys, {len(overlaps)} overlaps, {holders} keys held by finished jobs"
            + (f": {overlaps[:5]}" if overlaps else ""),
        )

    def reports(self) -> Verdict:
        markers = self.ledger.reports
        rows = self.q("SELECT ui_message FROM incidents_occurrence WHERE ui_message LIKE 'Soak %%'")
        counts: dict[str, int] = {}
        for (message,) in rows:
            marker = message.split(":")[0]
            counts[marker] = counts.get(marker, 0) + 1
        missing = [m for m in markers if counts.get(m, 0) == 0]
        doubled = [m for m in markers if counts.get(m, 0) > 1]
        waiting = self.q("SELECT count(*) FROM incidents_pendingreport")[0][0]
        return Verdict(
            "every accepted incident report became exactly one occurrence",
            not missing and not doubled and waiting == 0,
            f"{len(markers)} reports accepted (202), {len(rows)} occurrences, {len(missing)} missing, "
            f"{len(doubled)} recorded twice, {waiting} still waiting for grouping",
        )

    def task_instances(self) -> Verdict:
        dupes = self.q(
            "SELECT count(*) FROM (SELECT 1 FROM academics_taskinstance GROUP BY task_id, student_id, date HAVING count(*) > 1) d"
        )[0][0]
        total = self.q("SELECT count(*) FROM academics_taskinstance")[0][0]
        runs = self.q(
            "SELECT count(*) FROM jobs_periodclaim WHERE name = 'academics.generate_task_instances'"
        )[0][0]
        return Verdict(
            "one task instance per task, student and day",
            dupes == 0 and total > 0,
            f"{total} instances, {dupes} duplicated (task, student, day); generation periods claimed: {runs}",
        )

    def periods(self) -> Verdict:
        """Every minute of the run has exactly one reaper period claimed, though schedulers died."""
        rows = self.q("SELECT period FROM jobs_periodclaim WHERE name = 'jobs.reap' ORDER BY period")
        gaps = [
            f"{a:%H:%M}->{b:%H:%M}" for (a,), (b,) in itertools.pairwise(rows) if (b - a).total_seconds() > 60
        ]
        return Verdict(
            "each scheduler period claimed once, none missed",
            bool(rows) and not gaps,
            f"{len(rows)} reaper periods claimed (unique by the database), {len(gaps)} gaps"
            + (f": {gaps}" if gaps else ""),
        )

    def lessons(self) -> Verdict:
        present = {r[0] for r in self.q("SELECT id FROM academics_lesson")}
        marks: dict[int, int] = dict(
            self.q("SELECT lesson_id, count(*) FROM academics_attendance GROUP BY 1")
        )
        wrong, counts = [], {"kept": 0, "deleted": 0, "restored": 0}
        for lesson, seen in self.ledger.lessons.items():
            counts[seen["state"]] += 1
            alive = seen["state"] != "deleted"
            ok = (lesson in present) == alive and marks.get(lesson, 0) == (seen["attendance"] if alive else 0)
            if not ok:
                wrong.append(
                    f"lesson {lesson} {seen}: present={lesson in present}, attendance={marks.get(lesson, 0)}"
                )
        return Verdict(
            "every lesson deleted is gone with its attendance, or restored with it",
            not wrong,
            f"{counts['kept']} kept, {counts['deleted']} deleted (gone with their attendance), "
            f"{counts['restored']} restored with theirs" + (f"; WRONG: {wrong[:5]}" if wrong else ""),
        )

    def audit(self) -> Verdict:
        rows = dict(
            self.q(
                "SELECT e.action, count(*) FROM audit_auditevent e JOIN accounts_user u ON u.id = e.actor_id "
                "WHERE u.role = 'admin' AND u.email LIKE 'admin%%@soak.test' GROUP BY 1"
            )
        )
        wrong = {a: (n, rows.get(a, 0)) for a, n in self.ledger.actions.items() if rows.get(a, 0) != n}
        figure = ", ".join(
            f"{a} {n} confirmed / {rows.get(a, 0)} events" for a, n in sorted(self.ledger.actions.items())
        )
        return Verdict("one audit event per admin action", not wrong, figure)

    def optimise_clicks(self) -> Verdict:
        bursts = self.ledger.optimise_bursts
        bad = [b for b in bursts if b.count(202) > 1 or any(s not in (202, 409) for s in b)]
        return Verdict(
            "concurrent optimise clicks queue at most one job",
            not bad,
            f"{len(bursts)} bursts of 3 simultaneous clicks: {sum(b.count(202) for b in bursts)} queued, "
            f"{sum(b.count(409) for b in bursts)} refused (409)" + (f"; WRONG: {bad[:5]}" if bad else ""),
        )

    def memory(self, peak_job_rss: int) -> Verdict:
        over = self.q(
            f"SELECT count(*), count(*) FILTER (WHERE j.exception_class_path = 'jobs.errors.MemoryLimitExceeded') "
            f"FROM {JOBS} j JOIN jobs_jobinfo i ON i.job_id = j.id WHERE i.peak_rss > %s",
            self.memory_limit,
        )[0]
        unnoticed = peak_job_rss > self.memory_limit and over[1] == 0
        return Verdict(
            "no job ran past its memory limit unnoticed",
            over[0] == over[1] and not unnoticed,
            f"limit {self.memory_limit >> 20} MiB; highest job process tree seen by the soak "
            f"{peak_job_rss / 2**20:.0f} MiB; {over[0]} jobs recorded over the limit, {over[1]} of them stopped for it",
        )

    def recoveries(self, faults: list[Fault]) -> list[str]:
        """How long each fault took to recover from, from the database's timestamps."""
        lines = []
        for fault in faults:
            if fault.kind == "worker" and "job" in fault.detail:
                row = self.q(
                    f"SELECT extract(epoch FROM j.enqueued_at), extract(epoch FROM j.started_at), i.attempt "
                    f"FROM jobs_jobinfo i JOIN {JOBS} j ON j.id = i.job_id WHERE i.previous_id = %s",
                    fault.detail["job"],
                )
                if row and row[0][1]:
                    queued, running, attempt = row[0]
                    took = (
                        f"{running - fault.start:.1f} s (attempt {attempt}; the reaper put it back after "
                        f"{queued - fault.start:.1f} s, then it waited {running - queued:.1f} s for a free worker)"
                    )
                else:
                    took = "NOT RETRIED"
                lines.append(f"worker kill -9 mid video job -> job running again: {took}")
            elif fault.kind == "worker":
                lines.append(f"worker kill -9: skipped ({fault.detail['skipped']})")
            elif fault.kind == "scheduler":
                row = self.q(
                    "SELECT extract(epoch FROM min(claimed_at)) FROM jobs_periodclaim WHERE claimed_at > to_timestamp(%s)",
                    fault.start,
                )
                took = f"{row[0][0] - fault.start:.1f} s" if row and row[0][0] else "none claimed after it"
                lines.append(f"scheduler kill -9 -> next period claimed: {took} (periods are whole minutes)")
            elif fault.kind == "database":
                beat = fault.detail.get("workers_beating_after")
                first_ok = _first_ok_after(self.ledger, fault.start)
                lines.append(
                    f"pg_terminate_backend of {fault.detail['terminated']} connections -> every worker beating: "
                    + (f"{beat:.1f} s" if beat is not None else "NOT within 60 s")
                    + f"; first web request served: {first_ok}"
                )
            elif fault.kind == "s3":
                row = self.q(
                    f"SELECT extract(epoch FROM min(finished_at)) FROM {JOBS} WHERE task_path = %s AND status = 'SUCCESSFUL' "
                    "AND finished_at > to_timestamp(%s)",
                    VIDEO_JOB,
                    fault.end,
                )
                video = f"{row[0][0] - fault.end:.1f} s" if row and row[0][0] else "none"
                part = _first_ok_after(self.ledger, fault.end, kind="S3 part PUT")
                lines.append(
                    f"S3 unreachable {fault.end - fault.start:.0f} s -> after it came back: first part stored {part}, "
                    f"first video job done {video}"
                )
        return lines


def _first_ok_after(ledger: Ledger, moment: float, kind: str = "") -> str:
    done = [
        start + seconds - moment
        for k, start, seconds, status in ledger.requests
        if start >= moment and 200 <= status < 400 and (not kind or k == kind)
    ]
    return f"{min(done):.2f} s" if done else "none"
