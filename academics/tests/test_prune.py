"""The cleanup command: dry run by default, strict scope, one audit event."""

from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from academics.tasks import services as task_services
from academics.tasks.models import InstanceStatus, Recurrence, TaskInstance
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel("2026-03-10 12:00 +00:00", tick=False):
        yield


@pytest.fixture
def damage(admin, student):
    daily = task_services.task_create(
        actor=admin, title="Daily reading", students=[student], start_date=TODAY, recurrence=Recurrence.DAILY
    )
    one_off = task_services.task_create(
        actor=admin, title="Essay", students=[student], start_date=TODAY + timedelta(days=3)
    )
    # The old bug: instances pre-generated for the next 5 days.
    for n in range(1, 6):
        TaskInstance.objects.create(task=daily, student=student, date=TODAY + timedelta(days=n))
    done = TaskInstance.objects.get(task=daily, date=TODAY + timedelta(days=2))
    done.status, done.completed_at = InstanceStatus.DONE, timezone.now()
    done.save()
    return daily, one_off


def test_dry_run_prints_a_table_and_changes_nothing(damage):
    out = StringIO()
    call_command("prune_future_task_instances", stdout=out)
    text = out.getvalue()
    assert "Daily reading" in text and "2026-03-11" in text and "2026-03-15" in text
    assert "Dry run: 4 instances would be deleted" in text
    assert TaskInstance.objects.count() == 7
    assert not AuditEvent.objects.filter(action="task_instance.prune").exists()


def test_apply_removes_only_future_untouched_recurring_instances(damage):
    daily, one_off = damage
    out = StringIO()
    call_command("prune_future_task_instances", "--apply", "--batch-size", "3", stdout=out)
    assert "Deleted 4 instances of 1 tasks" in out.getvalue()
    survivors = set(TaskInstance.objects.values_list("task_id", "date", "status"))
    assert survivors == {
        (daily.pk, TODAY, "todo"),  # today's instance
        (daily.pk, TODAY + timedelta(days=2), "done"),  # completed in the future
        (one_off.pk, TODAY + timedelta(days=3), "todo"),  # a one-off task
    }
    event = AuditEvent.objects.get(action="task_instance.prune")
    after = event.after or {}
    assert after["deleted"] == 4
    assert after["tasks"] == 1
    assert after["per_task"] == [{"task": daily.pk, "count": 4}]


def test_nothing_to_prune_exits_zero(db):
    out = StringIO()
    call_command("prune_future_task_instances", "--apply", stdout=out)
    assert "Nothing to prune" in out.getvalue()
    assert not AuditEvent.objects.exists()
