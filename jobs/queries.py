"""Every read of the jobs pages, the CLI and other apps (jobs_for_keys)."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from academy.errors import NotFound, get_or_not_found
from jobs.models import DispatchKey, JobInfo, WorkerProcess
from jobs.reaper import running_jobs_split, stale_after

READY, RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING
SUCCESSFUL, FAILED = TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED
TABS = {
    "pending": "Pending",
    "running": "Running",
    "failed": "Failed",
    "stuck": "Stuck",
    "succeeded": "Succeeded",
}
RECENT = timedelta(days=7)  # the Succeeded tab shows this much


# -- for other apps --------------------------------------------------------------------------
@dataclass(frozen=True)
class JobSummary:
    job_id: str
    status: str  # READY / RUNNING / SUCCESSFUL / FAILED
    reason: str
    finished_at: datetime | None
    exception_class: str = ""  # of a failure: "media.pipeline.VideoRejected", "jobs.errors.JobProcessDied"


def jobs_for_keys(keys: Iterable[str]) -> dict[str, JobSummary]:
    """The latest job of each dispatch key (retries and re-runs included). One query."""
    keys = [k for k in dict.fromkeys(keys) if k]
    if not keys:
        return {}
    # Every attempt of these keys (a key has a few), oldest first, the latest kept: a correlated
    # "latest per key" subquery was planned by PostgreSQL as a scan of the whole job table per
    # key (JobInfo.key is mostly '', so a lookup by a key from another row looks expensive).
    rows = (
        JobInfo.objects.filter(key__in=keys)
        .order_by("job__enqueued_at", "job_id")
        .values_list(
            "key", "job_id", "job__status", "reason", "job__finished_at", "job__exception_class_path"
        )
    )
    return {
        key: JobSummary(
            job_id=str(job_id), status=status, reason=reason, finished_at=finished_at, exception_class=error
        )
        for key, job_id, status, reason, finished_at, error in rows
    }


def key_is_active(key: Any) -> Exists:
    """A job dispatched under `key` (an expression, e.g. built from an outer row's id) is ready or
    running: its DispatchKey is held. One probe of a small table's unique index per row, which
    every database plans well (the JobInfo.key index is mostly '' and misleads PostgreSQL)."""
    return Exists(DispatchKey.objects.filter(key=key, job__status__in=[READY, RUNNING]))


def key_has_failed(key: Any, *, because: str = "") -> Exists:
    """Some job dispatched under `key` failed (for rows whose key is not active: see the caller);
    with `because`, failed raising that exception class (e.g. a permanent refusal of its input)."""
    failed = JobInfo.objects.filter(key=key, job__status=FAILED)
    if because:
        failed = failed.filter(job__exception_class_path=because)
    return Exists(failed)


def rerunnable(job_ids: Iterable[str]) -> set[str]:
    """Of these jobs, the failed ones that were not retried or re-run yet (Re-run now applies).

    One query. Ids that are not job ids are ignored."""
    ids = []
    for job_id in dict.fromkeys(job_ids):
        try:
            ids.append(uuid.UUID(str(job_id)))
        except ValueError:
            continue
    if not ids:
        return set()
    retried = JobInfo.objects.filter(previous_id=OuterRef("pk"))
    rows = DBTaskResult.objects.filter(pk__in=ids, status=FAILED).exclude(Exists(retried))
    return {str(pk) for pk in rows.values_list("pk", flat=True)}


# -- the Jobs page -----------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    tab: str = "pending"
    task: str = ""
    queue: str = ""
    day: date | None = None
    search: str = ""


@dataclass
class Running:
    """Running jobs split into healthy (by worker) and stuck: computed once per page."""

    by_worker: dict[str, str]
    stuck: list[str]


def running_state() -> Running:
    by_worker, stuck = running_jobs_split()
    return Running(by_worker=by_worker, stuck=stuck)


def _tab_filter(tab: str, running: Running) -> Q:
    if tab == "pending":
        return Q(status=READY)
    if tab == "running":
        return Q(status=RUNNING) & ~Q(pk__in=running.stuck)
    if tab == "stuck":
        return Q(pk__in=running.stuck)
    if tab == "failed":  # a failed job that was retried or re-run lives on in its successor
        # NOT EXISTS, not a LEFT JOIN ... IS NULL: PostgreSQL plans the join as keeping one row
        # of 10,000 and so joins and sorts them all, where the anti join walks the index in
        # order and stops at the page's 25 rows (734 ms -> 1 ms at a million jobs).
        return Q(status=FAILED) & ~Q(Exists(JobInfo.objects.filter(previous_id=OuterRef("pk"))))
    return Q(status=SUCCESSFUL, finished_at__gte=timezone.now() - RECENT)


# A tab's count stops at this many: past it the page says "10,000+". Counting exactly would read
# every row of the tab, and the Succeeded tab holds a week of jobs (~230,000 in a busy one).
COUNT_CAP = 10_000


def capped_count(jobs: QuerySet[DBTaskResult[Any, Any]], cap: int = COUNT_CAP) -> int:
    """How many rows `jobs` has, but never more than cap + 1 (meaning "more than cap"): the
    database stops reading the index after cap + 1 entries."""
    return jobs.order_by().values("pk")[: cap + 1].count()


def count_text(n: int, cap: int = COUNT_CAP) -> str:
    return f"{cap:,}+" if n > cap else f"{n:,}"


def tab_count(tab: str, running: Running, cap: int | None = None) -> int:
    """One tab's count, on an index of (status, time), capped (see `capped_count`) if `cap` is
    given. Stuck jobs are already in `running`."""
    if tab == "stuck":
        return len(running.stuck)
    jobs = DBTaskResult.objects.filter(_tab_filter(tab, running))
    return jobs.count() if cap is None else capped_count(jobs, cap)


def tab_counts(running: Running) -> dict[str, int]:
    """Counts of every tab, each capped at COUNT_CAP + 1 (shown as "10,000+"): one short index
    read per tab, whatever the number of jobs the table keeps (a million in a busy month)."""
    counts = {tab: tab_count(tab, running, COUNT_CAP) for tab in ("pending", "failed", "succeeded")}
    counts["stuck"] = len(running.stuck)
    # Running jobs are at most a few per worker: the exact count is cheap.
    counts["running"] = DBTaskResult.objects.filter(status=RUNNING).count() - counts["stuck"]
    return {tab: counts[tab] for tab in TABS}


def job_list(filters: Filters, running: Running | None = None) -> QuerySet[DBTaskResult[Any, Any]]:
    running = running or running_state()
    jobs = DBTaskResult.objects.filter(_tab_filter(filters.tab, running)).select_related("info")
    if filters.task:
        jobs = jobs.filter(task_path=filters.task)
    if filters.queue:
        jobs = jobs.filter(queue_name=filters.queue)
    if filters.day:
        jobs = jobs.filter(enqueued_at__date=filters.day)
    if filters.search:
        term = filters.search.strip()
        try:
            jobs = jobs.filter(pk=uuid.UUID(term))
        except ValueError:
            jobs = jobs.annotate(args_text=Cast("args_kwargs", TextField())).filter(
                Q(args_text__icontains=term) | Q(task_path__icontains=term) | Q(info__key__icontains=term)
            )
    order = "-finished_at" if filters.tab in ("failed", "succeeded") else "-enqueued_at"
    return jobs.order_by(order, "-enqueued_at")


# A loose index scan: a recursive query that jumps from one value to the next on the column's
# index (SQLite and PostgreSQL alike), a few index probes per distinct value where DISTINCT would
# read every job row. {t} and {c} are the model's own table and column names, never input.
_DISTINCT = (
    "SELECT v FROM (WITH RECURSIVE d(v) AS (SELECT MIN({c}) FROM {t} UNION ALL"
    " SELECT (SELECT MIN({c}) FROM {t} WHERE {c} > d.v) FROM d WHERE d.v IS NOT NULL)"
    " SELECT v FROM d WHERE v IS NOT NULL) x"
)


def filter_choices() -> dict[str, list[str]]:
    """Known task paths and queues, for the filter selects (one query, on the indexes)."""
    table = connection.ops.quote_name(DBTaskResult._meta.db_table)
    tasks_sql = _DISTINCT.format(t=table, c="task_path")
    queues_sql = _DISTINCT.format(t=table, c="queue_name")
    sql = f"SELECT 't', v FROM ({tasks_sql}) a UNION ALL SELECT 'q', v FROM ({queues_sql}) b"  # noqa: S608
    tasks: list[str] = []
    queues: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for kind, value in cursor.fetchall():
            (tasks if kind == "t" else queues).append(value)
    return {"tasks": sorted(tasks), "queues": sorted(queues)}


@dataclass(frozen=True)
class WorkerRow:
    worker: WorkerProcess
    alive: bool
    current_job: str | None

    @property
    def uptime(self) -> timedelta:
        end = self.worker.stopped_at or timezone.now()
        return end - self.worker.started_at


def workers_panel(running: Running, *, limit: int = 20) -> list[WorkerRow]:
    """Live workers and those that stopped in the last day."""
    now = timezone.now()
    cutoff = now - stale_after()
    rows = WorkerProcess.objects.filter(
        Q(stopped_at__isnull=True) | Q(stopped_at__gte=now - timedelta(days=1))
    )
    return [
        WorkerRow(
            worker=w,
            alive=w.stopped_at is None and w.last_heartbeat >= cutoff,
            current_job=running.by_worker.get(w.worker_id),
        )
        for w in rows.order_by("stopped_at", "-started_at")[:limit]
    ]


@dataclass(frozen=True)
class Bar:
    hour: datetime
    finished: int
    failed: int


def _hour_counts_sql(table: str, hours: int) -> str:
    """One query of `hours` x 2 scalar counts, each a range count on the (status, finished_at)
    index: it reads the index entries of the day and nothing else, where grouping rows by hour
    computed the hour of every job finished that day (30,000 in a busy one)."""
    count = f"(SELECT COUNT(*) FROM {table} WHERE status = %s AND finished_at >= %s AND finished_at < %s)"  # noqa: S608 - the model's own table name
    return "SELECT " + ", ".join([count] * (hours * 2))


def hourly_chart(*, hours: int = 24) -> list[Bar]:
    """Jobs finished (successfully) and failed per hour over the last `hours` hours. One query.

    Hours are counted from the start of the academy's local hour, so the bars are local hours
    in any time zone (half-hour offsets included)."""
    now = timezone.localtime()
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    edges = [connection.ops.adapt_datetimefield_value(start + timedelta(hours=i)) for i in range(hours + 1)]
    params: list[Any] = []
    for i in range(hours):
        for status in (SUCCESSFUL, FAILED):
            params += [status, edges[i], edges[i + 1]]
    with connection.cursor() as cursor:
        cursor.execute(
            _hour_counts_sql(connection.ops.quote_name(DBTaskResult._meta.db_table), hours), params
        )
        counts = cursor.fetchone()
    return [
        Bar(
            hour=timezone.localtime(start + timedelta(hours=i)),
            finished=counts[2 * i],
            failed=counts[2 * i + 1],
        )
        for i in range(hours)
    ]


# -- job detail --------------------------------------------------------------------------
@dataclass
class AttemptRow:
    job_id: str
    attempt: int
    cause: str
    status: str
    enqueued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    worker_id: str
    reason: str
    peak_rss: int | None

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


@dataclass
class JobDetail:
    job: DBTaskResult[Any, Any]
    state: str  # one of TABS (or "failed, retried")
    key: str
    request_id: str
    attempt: int
    reason: str
    chain: list[AttemptRow] = field(default_factory=list)
    successor: str | None = None
    worker: WorkerProcess | None = None

    @property
    def can_rerun(self) -> bool:
        return self.state in ("failed", "stuck") and self.successor is None

    @property
    def can_delete(self) -> bool:
        return self.state in ("pending", "stuck")


def _chain(job_id: Any) -> list[AttemptRow]:
    """Every attempt linked to this job through `previous`, oldest first (bounded walk)."""
    ids: list[Any] = [job_id]
    prev_of: dict[Any, Any] = {}
    # walk back to the first attempt, then forward; each step is one small query
    current = job_id
    for _ in range(50):
        previous = JobInfo.objects.filter(job_id=current).values_list("previous_id", flat=True).first()
        if not previous:
            break
        prev_of[current] = previous
        ids.insert(0, previous)
        current = previous
    current = job_id
    for _ in range(50):
        nxt = JobInfo.objects.filter(previous_id=current).values_list("job_id", flat=True).first()
        if not nxt:
            break
        ids.append(nxt)
        current = nxt
    jobs = {j.pk: j for j in DBTaskResult.objects.filter(pk__in=ids).select_related("info")}
    rows = []
    for pk in ids:
        j = jobs.get(pk)
        if j is None:
            continue
        info = getattr(j, "info", None)
        rows.append(
            AttemptRow(
                job_id=str(j.pk),
                attempt=info.attempt if info else 1,
                cause=info.get_cause_display() if info else "enqueued",
                status=j.status,
                enqueued_at=j.enqueued_at,
                started_at=j.started_at,
                finished_at=j.finished_at,
                worker_id=j.worker_ids[-1] if j.worker_ids else "",
                reason=info.reason if info else "",
                peak_rss=info.peak_rss if info else None,
            )
        )
    return rows


def job_detail(job_id: Any) -> JobDetail:
    try:
        pk = uuid.UUID(str(job_id))
    except ValueError:
        raise NotFound("job_not_found", f"There is no job with id {str(job_id)[:64]!r}.") from None
    job = get_or_not_found(
        DBTaskResult.objects.select_related("info"), "job_not_found", f"There is no job with id {pk}.", pk=pk
    )
    info = getattr(job, "info", None)
    chain = _chain(job.pk)
    successor = next(
        (row.job_id for i, row in enumerate(chain) if i and chain[i - 1].job_id == str(job.pk)), None
    )
    states: dict[str, str] = {READY: "pending", RUNNING: "running", FAILED: "failed", SUCCESSFUL: "succeeded"}
    state = states[job.status]
    if job.status == RUNNING and str(job.pk) in running_state().stuck:
        state = "stuck"
    worker = WorkerProcess.objects.filter(worker_id=job.worker_ids[-1]).first() if job.worker_ids else None
    return JobDetail(
        job=job,
        state=state,
        key=info.key if info else "",
        request_id=info.request_id if info else "",
        attempt=info.attempt if info else 1,
        reason=info.reason if info else "",
        chain=chain,
        successor=successor,
        worker=worker,
    )
