"""Browser: an admin re-runs a failed job from the Jobs page; the row moves and it is audited."""

import pytest

from audit.models import AuditEvent
from jobs.models import JobInfo
from jobs.tests.factories import make_job

pytestmark = pytest.mark.django_db(transaction=True)


def test_rerun_a_failed_job_from_the_jobs_page(page, login, admin):
    failed = make_job("failed", reason="ValueError: codec exploded")
    login(admin)
    page.goto("/admin/insights/jobs/?tab=failed")
    row = page.locator(f'tr[data-job="{failed.pk}"]')
    assert "codec exploded" in row.inner_text()
    assert page.locator('[data-count="failed"]').inner_text() == "1"

    page.once("dialog", lambda dialog: dialog.accept())  # the page asks first
    row.get_by_role("button", name="Re-run").click()
    page.wait_for_load_state("networkidle")
    assert "re-queued as job" in page.locator(".toast").first.inner_text()
    assert page.locator(f'tr[data-job="{failed.pk}"]').count() == 0
    assert page.locator('[data-count="failed"]').inner_text() == "0"

    new = JobInfo.objects.get(previous_id=failed.pk)
    page.goto("/admin/insights/jobs/?tab=pending")
    assert page.locator(f'tr[data-job="{new.job_id}"]').count() == 1
    event = AuditEvent.objects.get(action="job.rerun", entity_id=str(failed.pk))
    assert event.actor == admin and event.outcome == "ok"

    page.goto(f"/admin/insights/jobs/{failed.pk}/")
    assert page.locator("#attempts tbody tr").count() == 2
    assert page.console_errors == []
