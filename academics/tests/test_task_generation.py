"""Recurring tasks: one instance at creation, later ones only from the scheduler's generator."""

import threading
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from academics.tasks import services as task_services
from academics.tasks.models import Recurrence, TaskInstance

pytestmark = pytest.mark.django_db


def daily(admin, students, start=date(2026, 3, 1), **kw):
    return task_services.task_create(
        actor=admin, title=kw.pop("title", "Read 20 minutes"), students=students, start_date=start,
        recurrence=kw.pop("recurrence", Recurrence.DAILY), **kw,
    )  # fmt: skip


@time_machine.travel("2026-03-10 12:00 +00:00", tick=False)
def test_creating_a_daily_task_makes_exactly_one_instance_per_student(admin, student, other_student):
    task = daily(admin, [student, other_student])
    assert sorted(TaskInstance.objects.values_list("student_id", "date")) == [
        (student.pk, date(2026, 3, 10)),
        (other_student.pk, date(2026, 3, 10)),
    ]
    assert task.instances.count() == 2


@time_machine.travel("2026-03-10 12:00 +00:00", tick=False)
def test_future_start_makes_nothing_for_recurring_and_the_start_day_for_one_off(admin, student):
    daily(admin, [student], start=date(2026, 3, 20))
    one_off = daily(admin, [student], start=date(2026, 3, 20), recurrence=Recurrence.NONE, title="Essay")
    assert list(TaskInstance.objects.values_list("task_id", "date")) == [(one_off.pk, date(2026, 3, 20))]


@time_machine.travel("2026-03-10 12:00 +00:00", tick=False)
def test_generator_three_times_makes_one_instance_per_student_per_day(admin, student, other_student):
    daily(admin, [student, other_student])
    for _ in range(3):
        call_command("generate_task_instances", stdout=StringIO())
    assert TaskInstance.objects.count() == 2
    out = StringIO()
    call_command("generate_task_instances", "--date", "2026-03-09", stdout=out)
    assert "2 due, 2 created" in out.getvalue()
    assert TaskInstance.objects.count() == 4


@time_machine.travel("2026-03-10 12:00 +00:00", tick=False)
def test_generator_never_makes_a_future_date_and_backfill_is_bounded(admin, student):
    daily(admin, [student])
    with pytest.raises(CommandError, match="future"):
        call_command("generate_task_instances", "--date", "2026-03-11", stdout=StringIO())
    with pytest.raises(CommandError, match="Back-fill"):
        call_command("generate_task_instances", "--backfill-days", "400", stdout=StringIO())
    call_command("generate_task_instances", "--backfill-days", "5", stdout=StringIO())
    dates = sorted(TaskInstance.objects.values_list("date", flat=True))
    assert dates == [date(2026, 3, 5) + timedelta(days=n) for n in range(6)]


@time_machine.travel("2026-03-14 12:00 +00:00", tick=False)  # a Saturday
def test_weekday_inactive_ended_and_archived_are_skipped(admin, student, other_student):
    weekdays = daily(admin, [student, other_student], recurrence=Recurrence.WEEKDAYS, title="Spelling")
    inactive = daily(admin, [student], title="Old")
    task_services.task_set_active(actor=admin, task=inactive, active=False)
    daily(admin, [student], end_date=date(2026, 3, 13), title="Ended")
    other_student.archived_at = timezone.now()
    other_student.save()
    TaskInstance.objects.all().delete()
    result = task_services.generate_task_instances()
    assert result.created == 0
    task_services.generate_task_instances(day=date(2026, 3, 13))
    assert TaskInstance.objects.filter(task=weekdays).count() == 1
    assert not TaskInstance.objects.filter(task=inactive, date=date(2026, 3, 13)).exists()


@pytest.mark.parametrize(
    ("now_utc", "local_day"),
    [
        ("2026-03-29 00:30 +00:00", date(2026, 3, 29)),  # spring forward: the day has 23 hours
        ("2026-10-24 23:30 +00:00", date(2026, 10, 25)),  # 00:30 BST on the fall-back day
        ("2026-10-25 23:30 +00:00", date(2026, 10, 25)),  # 23:30 GMT, still the 25th locally
    ],
)
def test_dst_days_get_one_instance_per_local_day(admin, student, now_utc, local_day):
    with time_machine.travel(now_utc, tick=False):
        daily(admin, [student])
        task_services.generate_task_instances()
        task_services.generate_task_instances()
    assert list(TaskInstance.objects.values_list("date", flat=True)) == [local_day]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_generators_create_nothing_extra(admin, student, other_student):
    with time_machine.travel("2026-03-10 12:00 +00:00", tick=False):
        daily(admin, [student, other_student])
        TaskInstance.objects.all().delete()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            task_services.generate_task_instances(day=date(2026, 3, 10))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel("2026-03-10 12:00 +00:00", tick=False):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert TaskInstance.objects.count() == 2
