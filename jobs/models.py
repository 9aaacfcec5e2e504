"""What the jobs app adds on top of django-tasks-db's DBTaskResult table.

A job is a DBTaskResult row. Each attempt is its own row: a retry or a re-run creates a new row
whose JobInfo points at the previous one (`previous`, unique), so every attempt is kept with its
own timings, worker and traceback, and a job can be re-run at most once (three clicks, one job).
"""

from django.db import models
from django_tasks_db.models import DBTaskResult


class Cause(models.TextChoices):
    DISPATCH = "dispatch", "dispatched"
    RETRY = "retry", "automatic retry"
    RERUN = "rerun", "re-run by an admin"


class JobInfo(models.Model):
    """Per-job facts the queue table lacks: dispatch key, request id, attempt, retry chain."""

    job = models.OneToOneField(DBTaskResult, primary_key=True, on_delete=models.CASCADE, related_name="info")
    key = models.CharField(max_length=200, blank=True, db_index=True)
    request_id = models.CharField(max_length=128, blank=True)
    attempt = models.PositiveIntegerField(default=1)
    cause = models.CharField(max_length=16, choices=Cause.choices, default=Cause.DISPATCH)
    # Unique: a job has at most one successor, so re-running (or retrying) it twice is a no-op.
    previous = models.OneToOneField(
        DBTaskResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="next_info"
    )
    reason = models.TextField(blank=True)  # one line: why it failed
    peak_rss = models.BigIntegerField(null=True, blank=True)

    class Meta:
        # "Has this job a successor?" (the Failed tab, its count, rerunnable()) looks up
        # `previous`. Nearly every row's is NULL, and once SQLite has statistics (ANALYZE, PRAGMA
        # optimize) it counts those NULLs as one value a million rows deep, judges the unique
        # index useless and scans the whole table for every failed job. This index holds only the
        # rows that have a previous job, so its statistics say one row a lookup.
        indexes = [
            models.Index(
                fields=["previous"], name="jobs_info_previous_set", condition=models.Q(previous__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return f"job {self.job_id} attempt {self.attempt}"


class DispatchKey(models.Model):
    """Held while the job it names is ready or running; the unique key refuses a duplicate.

    Released (deleted) when the job finishes, moved to the next attempt when it is retried.
    """

    key = models.CharField(max_length=200, unique=True)
    job = models.OneToOneField(DBTaskResult, on_delete=models.CASCADE, related_name="dispatch_key")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class WorkerProcess(models.Model):
    """One row per worker process: what it really runs under, and whether it is alive."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    queues = models.JSONField(default=list)
    concurrency = models.PositiveIntegerField(default=1)
    memory_limit = models.BigIntegerField(help_text="enforced per job, resident bytes")
    rlimit_as = models.BigIntegerField(null=True, blank=True)
    rlimit_data = models.BigIntegerField(null=True, blank=True)
    cgroup_memory_max = models.BigIntegerField(null=True, blank=True)
    effective_limit = models.BigIntegerField(help_text="the smallest of the limits above")
    started_at = models.DateTimeField()
    last_heartbeat = models.DateTimeField(db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=100, blank=True)
    jobs_done = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid} ({self.worker_id})"


class PeriodClaim(models.Model):
    """A scheduler claims each period of each periodic job once; the unique pair is the guard."""

    name = models.CharField(max_length=100)
    period = models.DateTimeField()
    claimed_at = models.DateTimeField(auto_now_add=True)
    claimed_by = models.CharField(max_length=255, blank=True)
    job_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "period"], name="jobs_period_once")]
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"{self.name}@{self.period:%Y-%m-%d %H:%M}"
