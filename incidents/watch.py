"""Operations that need a person though no request failed: a periodic job looks every minute.

- jobs failing above a rate: at least INCIDENT_ALERT_JOB_FAILURES_PER_HOUR jobs failed for good
  in the last hour (one alert per clock hour);
- a worker gone silent: no heartbeat for INCIDENT_ALERT_WORKER_SILENT_SECONDS and not stopped
  on purpose (one alert per worker);
- the queue's oldest ready job has waited longer than INCIDENT_ALERT_QUEUE_WAIT_SECONDS (one
  alert per job), as Laravel Horizon's long-wait notification.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from incidents import alerts
from incidents.models import AlertKind
from jobs.models import WorkerProcess
from jobs.periodic import register_periodic

# A worker silent for longer than this is history, not news.
FORGOTTEN_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Watched:
    job_failures: int
    silent_workers: int
    waiting_job: bool


def _human(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return f"{int(seconds)} seconds"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@transaction.atomic
def operations_watch(*, now: datetime | None = None) -> Watched:
    """Raise the alerts that the jobs' state calls for (each once, by its key)."""
    now = now or timezone.now()
    jobs_page = alerts.absolute(reverse("jobs:insights"))
    failures = _watch_failures(now, jobs_page)
    silent = _watch_silent_workers(now, jobs_page)
    waiting = _watch_queue_wait(now)
    if alerts.pending_exist():
        transaction.on_commit(alerts.schedule_delivery)  # a backstop for a delivery never asked for
    return Watched(job_failures=failures, silent_workers=silent, waiting_job=waiting)


def _watch_failures(now: datetime, jobs_page: str) -> int:
    """Jobs that failed after their last attempt within the hour: one alert per hour over the threshold."""
    failures = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__gte=now - timedelta(hours=1), next_info__isnull=True
    ).count()
    if failures >= settings.INCIDENT_ALERT_JOB_FAILURES_PER_HOUR:
        alerts.alert_raise(
            key=f"jobs:failures:{timezone.localtime(now):%Y-%m-%dT%H}",
            kind=AlertKind.JOB_FAILURES,
            subject=f"{failures} jobs failed in the last hour",
            body=(
                f"{failures} jobs failed after their last attempt within an hour "
                f"(alert threshold {settings.INCIDENT_ALERT_JOB_FAILURES_PER_HOUR})."
            ),
            link=f"{jobs_page}?tab=failed",
        )
    return failures


def _watch_silent_workers(now: datetime, jobs_page: str) -> int:
    """Workers whose heartbeat stopped (and are not long forgotten): one alert each."""
    silent_since = now - timedelta(seconds=settings.INCIDENT_ALERT_WORKER_SILENT_SECONDS)
    silent = list(
        WorkerProcess.objects.filter(
            Q(stopped_at__isnull=True) | Q(stop_reason__startswith="lost"),
            last_heartbeat__lt=silent_since,
            last_heartbeat__gte=now - FORGOTTEN_AFTER,
        )
    )
    for worker in silent:
        quiet = _human((now - worker.last_heartbeat).total_seconds())
        alerts.alert_raise(
            key=f"worker:{worker.worker_id}:silent",
            kind=AlertKind.WORKER_SILENT,
            subject=f"Worker {worker.host}:{worker.pid} has been silent for {quiet}",
            body=(
                f"Its last heartbeat was at {timezone.localtime(worker.last_heartbeat):%Y-%m-%d %H:%M:%S}; "
                "jobs it was running are given up by the reaper. Start a worker if none is left."
            ),
            link=jobs_page,
        )
    return len(silent)


def _watch_queue_wait(now: datetime) -> bool:
    """The oldest ready job that has waited too long for a worker: one alert for it."""
    waited_since = now - timedelta(seconds=settings.INCIDENT_ALERT_QUEUE_WAIT_SECONDS)
    oldest = (
        DBTaskResult.objects.ready()
        .filter(
            Q(run_after=get_date_max(), enqueued_at__lt=waited_since)
            | (Q(run_after__lt=waited_since) & ~Q(run_after=get_date_max()))
        )
        .order_by("enqueued_at")
        .first()
    )
    if oldest is not None:
        since = oldest.enqueued_at if oldest.run_after == get_date_max() else oldest.run_after
        alerts.alert_raise(
            key=f"queue:{oldest.pk}",
            kind=AlertKind.QUEUE_WAIT,
            subject=f"A job has waited {_human((now - since).total_seconds())} for a worker",
            body=(
                f"The oldest ready job ({oldest.task_path.rsplit('.', 1)[-1]}) has waited since "
                f"{timezone.localtime(since):%Y-%m-%d %H:%M:%S}. Is a worker running for queue "
                f"{oldest.queue_name!s}?"
            ),
            link=alerts.absolute(reverse("jobs:detail", kwargs={"job_id": oldest.pk})),
        )
    return oldest is not None


@task
def watch_operations() -> int:
    watched = operations_watch()
    return watched.job_failures


register_periodic("incidents.watch_operations", "* * * * *", watch_operations)
