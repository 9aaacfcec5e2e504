"""The queue and the workers for /metrics (academy/metrics.py), as the database says at scrape time."""

from collections.abc import Iterable

from django.db.models import Case, Count, F, Min, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from jobs.models import WorkerProcess
from jobs.reaper import stale_after


class JobsCollector(Collector):
    """The queue and the workers as the database says, at scrape time (three queries)."""

    def collect(self) -> Iterable[Metric]:
        now = timezone.now()
        # A job is waiting since it was enqueued, or since its delay (a retry's backoff) ended.
        waiting_since = Case(
            When(run_after=get_date_max(), then=F("enqueued_at")),
            default=Greatest("enqueued_at", "run_after"),
        )
        ready = GaugeMetricFamily(
            "academy_jobs_ready", "Jobs ready to run and not claimed yet", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "academy_jobs_oldest_ready_age_seconds",
            "How long the oldest ready job has waited",
            labels=["queue"],
        )
        rows = (
            DBTaskResult.objects.ready()
            .values("queue_name")
            .annotate(n=Count("id"), since=Min(waiting_since))
            .order_by("queue_name")
        )
        for row in rows:
            ready.add_metric([row["queue_name"]], row["n"])
            oldest.add_metric([row["queue_name"]], max(0.0, (now - row["since"]).total_seconds()))
        yield ready
        yield oldest

        alive = GaugeMetricFamily(
            "academy_workers_alive", "Workers with a fresh heartbeat, by host", labels=["host"]
        )
        limit = GaugeMetricFamily(
            "academy_worker_memory_limit_bytes",
            "The smallest effective per-job memory limit of the live workers on a host (runtime truth)",
            labels=["host"],
        )
        workers = (
            WorkerProcess.objects.filter(stopped_at__isnull=True, last_heartbeat__gte=now - stale_after())
            .values("host")
            .annotate(n=Count("id"), smallest=Min("effective_limit"))
            .order_by("host")
        )
        for worker in workers:
            alive.add_metric([worker["host"]], worker["n"])
            limit.add_metric([worker["host"]], worker["smallest"])
        yield alive
        yield limit
