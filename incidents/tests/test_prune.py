"""prune_incidents: dry run by default; --apply removes old occurrences, keeps summaries."""

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from incidents.models import Incident, Occurrence, OccurrenceEntity
from incidents.tests.helpers import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_and_new():
    with time_machine.travel("2026-09-01 12:00Z", tick=False):
        record()
        record()
    with time_machine.travel("2026-11-27 12:00Z", tick=False):
        record()


def run(*args: str) -> str:
    out = StringIO()
    with time_machine.travel("2026-11-28 12:00Z", tick=False):
        call_command("prune_incidents", *args, stdout=out)
    return out.getvalue()


def test_dry_run_by_default(old_and_new):
    output = run("--days", "30")
    assert "Would delete 2 occurrences" in output and "Dry run" in output
    assert Occurrence.objects.count() == 3


def test_apply_removes_old_occurrences_and_keeps_the_summary(old_and_new):
    output = run("--days", "30", "--apply")
    assert "Deleted 2 occurrences" in output
    assert Occurrence.objects.count() == 1
    assert OccurrenceEntity.objects.count() == 1
    incident = Incident.objects.get()
    assert incident.occurrence_count == 3
    assert incident.first_seen.isoformat().startswith("2026-09-01")
    assert AuditEvent.objects.filter(action="incident.prune").count() == 1


def test_days_must_be_positive():
    with pytest.raises(CommandError):
        run("--days", "0")
