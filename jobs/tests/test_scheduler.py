"""The scheduler: cron in the academy's time zone, each period claimed once, --once, discovery."""

import threading
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections
from django.tasks import task
from django_tasks_db.models import DBTaskResult

from jobs.models import PeriodClaim
from jobs.periodic import REGISTRY, register_periodic
from jobs.scheduler import claim_and_enqueue, discover, latest_period, run_due
from jobs.tests.failed_statements import failed_statements


@task
def tick() -> None:
    return None


@pytest.fixture
def only_tick():
    saved = dict(discover())
    REGISTRY.clear()
    job = register_periodic("test.tick", "*/5 * * * *", tick)
    yield job
    REGISTRY.clear()
    REGISTRY.update(saved)


def test_discovery_imports_app_tasks_modules():
    registry = discover()
    assert {"jobs.reap", "jobs.prune"} <= set(registry)


def test_bad_cron_is_refused_at_registration():
    with pytest.raises(ValueError):
        register_periodic("bad", "every day", tick)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 02:30 London is 01:30 UTC in summer (BST) and 02:30 UTC in winter
        (datetime(2026, 7, 1, 3, 0, tzinfo=UTC), datetime(2026, 7, 1, 1, 30, tzinfo=UTC)),
        (datetime(2026, 12, 1, 3, 0, tzinfo=UTC), datetime(2026, 12, 1, 2, 30, tzinfo=UTC)),
        (datetime(2026, 12, 1, 2, 30, tzinfo=UTC), datetime(2026, 12, 1, 2, 30, tzinfo=UTC)),
    ],
)
def test_periods_follow_the_academy_time_zone(settings, now, expected):
    settings.TIME_ZONE = "Europe/London"
    assert latest_period("30 2 * * *", now) == expected


@pytest.mark.django_db
def test_each_period_is_enqueued_once(only_tick):
    with time_machine.travel(datetime(2026, 3, 2, 10, 7, tzinfo=UTC), tick=False):
        first = run_due()
        second = run_due()
    assert [e.period for e in first] == [datetime(2026, 3, 2, 10, 5, tzinfo=UTC)]
    assert second == []
    with time_machine.travel(datetime(2026, 3, 2, 10, 11, tzinfo=UTC), tick=False):
        DBTaskResult.objects.update(status="SUCCESSFUL")
        third = run_due(started_at=datetime(2026, 3, 2, 10, 7, tzinfo=UTC))
    assert [e.period for e in third] == [datetime(2026, 3, 2, 10, 10, tzinfo=UTC)]
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db
def test_missed_periods_before_start_run_only_with_run_at_start(only_tick):
    daily = register_periodic("test.daily", "5 0 * * *", tick)
    now = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    names = {e.name for e in run_due(now=now, started_at=now)}
    assert names == {"test.tick"}
    REGISTRY["test.daily"] = type(daily)(name=daily.name, cron=daily.cron, task=daily.task, run_at_start=True)
    assert {e.name for e in run_due(now=now, started_at=now)} == {"test.daily"}


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_in_the_same_period_enqueue_once(only_tick):
    period = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    barrier = threading.Barrier(2)
    results: list = []

    def scheduler(name: str) -> None:
        try:
            barrier.wait()
            results.append(claim_and_enqueue(only_tick, period, by=name))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler, args=(f"host{i}",)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert sum(r is not None for r in results) == 1
    assert PeriodClaim.objects.count() == 1 and DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_a_period_another_scheduler_claimed_is_an_answer_not_a_failed_statement(only_tick):
    period = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    first = claim_and_enqueue(only_tick, period, by="host0")
    with failed_statements() as failed:
        second = claim_and_enqueue(only_tick, period, by="host1")
    assert first is not None and second is None and failed == []
    claim = PeriodClaim.objects.get()
    assert (claim.claimed_by, claim.job_id) == ("host0", first.job_id)
    assert DBTaskResult.objects.get().pk == uuid.UUID(first.job_id)


@pytest.mark.django_db
def test_scheduler_once_command(only_tick, capsys):
    with time_machine.travel(datetime(2026, 3, 2, 10, 7, tzinfo=UTC), tick=False):
        call_command("scheduler", "--once")
    out = capsys.readouterr().out
    assert "enqueued test.tick" in out
    assert DBTaskResult.objects.filter(task_path__endswith="test_scheduler.tick").count() == 1
