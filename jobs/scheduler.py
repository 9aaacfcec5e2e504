"""The scheduler: enqueues each period of each periodic job exactly once.

Every tick it takes, per job, the latest period that has passed (cron in the academy's time
zone) and inserts a PeriodClaim(name, period) row in the same transaction as the job. The unique
(name, period) pair refuses a second scheduler's claim, so two schedulers on two machines enqueue
each period once. The job is dispatched with key "periodic:<name>", so a slow run is never
overlapped by the next one.
"""

import logging
import signal
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import FrameType
from zoneinfo import ZoneInfo

from croniter import croniter
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from jobs.dispatch import dispatch
from jobs.models import PeriodClaim
from jobs.periodic import REGISTRY, PeriodicJob
from jobs.runtime import hostname, pid

logger = logging.getLogger("jobs.scheduler")

# A period this much older than the scheduler's start still counts as "now" (cron calls
# `scheduler --once` every minute, a little late).
START_SLACK = timedelta(minutes=2)


def discover() -> dict[str, PeriodicJob]:
    """Import `<app>.tasks` of every installed app, so their register_periodic calls run."""
    autodiscover_modules("tasks")
    return REGISTRY


def latest_period(cron: str, now: datetime) -> datetime:
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    # croniter's get_prev is strict; a tick exactly on the period must count it as passed.
    prev = croniter(cron, local + timedelta(seconds=1)).get_prev(datetime)
    return prev.astimezone(ZoneInfo("UTC"))


@dataclass(frozen=True)
class Enqueued:
    name: str
    period: datetime
    job_id: str


def claim_and_enqueue(job: PeriodicJob, period: datetime, *, by: str) -> Enqueued | None:
    """Claim (job, period) and enqueue it, in one transaction. None when already claimed.

    With two schedulers, one of them finds each period claimed: its insert does nothing (ON
    CONFLICT DO NOTHING) rather than failing, which was an ERROR line in PostgreSQL's log for
    every periodic job every minute. The claim carries a token of its own until its job is known:
    finding the token is how this call knows the claim is its own."""
    token = f"claiming:{uuid.uuid4().hex}"
    with transaction.atomic():
        PeriodClaim.objects.bulk_create(
            [PeriodClaim(name=job.name, period=period, claimed_by=by, job_id=token)], ignore_conflicts=True
        )
        claim = PeriodClaim.objects.filter(name=job.name, period=period, job_id=token).first()
        if claim is None:
            return None
        dispatched = dispatch(job.task, key=f"periodic:{job.name}")
        claim.job_id = dispatched.job_id
        claim.save(update_fields=["job_id"])
    logger.info("enqueued %s for %s as job %s", job.name, period.isoformat(), dispatched.job_id)
    return Enqueued(name=job.name, period=period, job_id=dispatched.job_id)


def run_due(*, now: datetime | None = None, started_at: datetime | None = None) -> list[Enqueued]:
    """Enqueue every periodic job whose latest period is unclaimed and counts as due."""
    now = now or timezone.now()
    started_at = started_at or now
    by = f"{hostname()}:{pid()}"
    done = []
    for job in list(REGISTRY.values()):
        period = latest_period(job.cron, now)
        if period < started_at - START_SLACK and not job.run_at_start:
            continue
        enqueued = claim_and_enqueue(job, period, by=by)
        if enqueued:
            done.append(enqueued)
    return done


class Scheduler:
    def __init__(self, *, tick: float = 5.0) -> None:
        self.tick = tick
        self.running = True

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.running = False

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        started_at = timezone.now()
        logger.info(
            "scheduler started (%s): %s",
            settings.TIME_ZONE,
            ", ".join(f"{j.name} [{j.cron}]" for j in REGISTRY.values()) or "nothing registered",
        )
        while self.running:
            try:
                run_due(started_at=started_at)
            except Exception:
                logger.exception("scheduler tick failed; trying again next tick")
                close_old_connections()
            deadline = time.monotonic() + self.tick
            while self.running and time.monotonic() < deadline:
                time.sleep(min(0.5, self.tick))
        logger.info("scheduler stopped")
