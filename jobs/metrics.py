"""Job figures for /metrics (academy/metrics.py) that the worker and the reaper count as jobs end.

The queue's and the workers' state, read at scrape time, is in jobs/queue_metrics.py."""

from prometheus_client import Counter, Histogram

MiB = 2**20
JOBS_FINISHED = Counter(
    "academy_jobs_finished_total",
    "Job attempts that ended, by task and outcome (succeeded, failed, memory_limit, died, worker_lost)",
    ["task", "outcome"],
)
JOB_DURATION = Histogram(
    "academy_job_duration_seconds",
    "How long a job attempt ran, from hand-over to its result",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
)
JOB_PEAK_RSS = Histogram(
    "academy_job_peak_resident_bytes",
    "Peak resident memory of a job's process tree, as the worker measured it",
    ["task"],
    buckets=tuple(n * MiB for n in (32, 64, 128, 256, 512, 1024, 2048)),
)


def job_finished(task: str, outcome: str, *, seconds: float | None = None, peak_rss: int = 0) -> None:
    JOBS_FINISHED.labels(task=task, outcome=outcome).inc()
    if seconds is not None:
        JOB_DURATION.labels(task=task).observe(seconds)
    if peak_rss:
        JOB_PEAK_RSS.labels(task=task).observe(peak_rss)
