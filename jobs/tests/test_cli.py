"""manage.py jobs list|show|retry|delete|reap|prune."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent
from jobs.models import JobInfo
from jobs.tests.factories import make_job

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("jobs", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_list_and_show():
    failed = make_job("failed", reason="ValueError: x")
    out = run("list", "--tab", "failed")
    assert str(failed.pk) in out and "ValueError: x" in out and "1 job(s) in failed" in out
    out = run("show", str(failed.pk))
    assert "sample_tasks.boom" in out and "#1" in out and "Traceback" in out
    with pytest.raises(CommandError, match="job_not_found"):
        run("show", "00000000-0000-0000-0000-000000000000")


def test_retry_and_delete_are_audited_as_the_cli_user():
    failed, pending = make_job("failed"), make_job("pending")
    assert "re-queued" in run("retry", str(failed.pk))
    assert "already re-run" in run("retry", str(failed.pk))
    assert "deleted" in run("delete", str(pending.pk))
    labels = set(AuditEvent.objects.values_list("actor_label", flat=True))
    assert all(label.startswith("cli") for label in labels)
    with pytest.raises(CommandError, match="1 of 1 refused"):
        run("delete", str(failed.pk))


def test_reap_marks_stuck_jobs_worker_lost():
    stuck = make_job("stuck")
    out = run("reap")
    assert "1 stuck job(s) reaped" in out
    assert JobInfo.objects.get(job__pk=stuck.pk).reason == "worker lost"


def test_prune_dry_run_then_apply():
    old = make_job("succeeded")
    DBTaskResult.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=10))
    assert "would remove 1 finished job(s)" in run("prune", "--days", "7")
    assert DBTaskResult.objects.exists()
    assert "removed 1 finished job(s)" in run("prune", "--days", "7", "--apply")
    assert not DBTaskResult.objects.exists()
