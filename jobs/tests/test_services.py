"""Re-run and delete: audited, idempotent, refusing the wrong state and unknown ids."""

import pytest
from django_tasks_db.models import DBTaskResult

from academy.errors import Conflict, DomainError, NotFound
from audit.models import AuditEvent
from jobs.models import DispatchKey, JobInfo
from jobs.services import job_delete, job_rerun, jobs_bulk, jobs_prune
from jobs.tests.factories import make_job

pytestmark = pytest.mark.django_db


def events(action: str) -> list[tuple[str, str]]:
    return list(AuditEvent.objects.filter(action=action).order_by("id").values_list("entity_id", "outcome"))


def test_rerunning_a_failed_job_three_times_makes_one_new_job(admin):
    failed = make_job("failed", key="media:7")
    results = [job_rerun(actor=admin, job_id=failed.pk) for _ in range(3)]
    assert [r.already for r in results] == [False, True, True]
    assert len({r.new_job_id for r in results}) == 1
    new = JobInfo.objects.get(previous__pk=failed.pk)
    assert new.attempt == 2 and new.cause == "rerun" and new.key == "media:7"
    assert new.job.status == "READY"
    assert DispatchKey.objects.get(key="media:7").job_id == new.job_id
    assert "already re-run" in results[1].message
    assert events("job.rerun") == [
        (str(failed.pk), "ok"),
        (str(failed.pk), "already"),
        (str(failed.pk), "already"),
    ]
    event = AuditEvent.objects.filter(action="job.rerun").earliest("id")
    assert event.actor == admin and event.after == {"new_job_id": results[0].new_job_id}


def test_rerunning_a_stuck_job_gives_up_on_it_first(admin):
    stuck = make_job("stuck")
    result = job_rerun(actor=admin, job_id=stuck.pk)
    stuck.refresh_from_db()
    assert stuck.status == "FAILED" and JobInfo.objects.get(job__pk=stuck.pk).reason == "worker lost"
    assert DBTaskResult.objects.get(pk=result.new_job_id).status == "READY"


@pytest.mark.parametrize("state", ["pending", "running", "succeeded"])
def test_rerun_refuses_the_wrong_state_and_changes_nothing(admin, state):
    job = make_job(state)
    with pytest.raises(Conflict) as caught:
        job_rerun(actor=admin, job_id=job.pk)
    assert caught.value.code == "job_not_rerunnable"
    assert DBTaskResult.objects.count() == 1
    assert DBTaskResult.objects.get().status == job.status
    assert events("job.rerun") == [(str(job.pk), "refused")]


def test_rerun_refuses_when_another_job_holds_the_key(admin):
    failed = make_job("failed", key="media:9")
    make_job("pending", key="media:9")
    with pytest.raises(Conflict, match="already queued or running"):
        job_rerun(actor=admin, job_id=failed.pk)
    assert DBTaskResult.objects.count() == 2


@pytest.mark.parametrize("job_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_unknown_job_is_a_clear_not_found(admin, job_id):
    make_job("failed")
    for action in (job_rerun, job_delete):
        with pytest.raises(NotFound) as caught:
            action(actor=admin, job_id=job_id)
        assert caught.value.code == "job_not_found" and caught.value.status == 404
    assert DBTaskResult.objects.count() == 1


def test_delete_a_pending_job_releases_its_key_and_is_idempotent(admin):
    job = make_job("pending", key="media:1")
    first = job_delete(actor=admin, job_id=job.pk)
    second = job_delete(actor=admin, job_id=job.pk)
    assert not first.already and second.already
    assert not DBTaskResult.objects.exists() and not DispatchKey.objects.exists()
    assert events("job.delete") == [(str(job.pk), "ok"), (str(job.pk), "already")]
    snapshot = AuditEvent.objects.filter(action="job.delete", outcome="ok").get().snapshot or {}
    assert snapshot["task_path"].endswith("sample_tasks.boom") and snapshot["status"] == "READY"


def test_delete_a_stuck_job(admin):
    job = make_job("stuck")
    job_delete(actor=admin, job_id=job.pk)
    assert not DBTaskResult.objects.exists()


def test_deleting_a_job_that_started_running_is_refused(admin):
    job = make_job("running")
    with pytest.raises(Conflict) as caught:
        job_delete(actor=admin, job_id=job.pk)
    assert caught.value.code == "job_running" and "started running" in caught.value.message
    assert DBTaskResult.objects.get().status == "RUNNING"
    assert events("job.delete") == [(str(job.pk), "refused")]


def test_deleting_a_finished_job_is_refused(admin):
    job = make_job("failed")
    with pytest.raises(Conflict, match="has finished"):
        job_delete(actor=admin, job_id=job.pk)


def test_bulk_applies_each_and_reports_each(admin):
    a, b, running = make_job("failed"), make_job("failed"), make_job("running")
    outcomes = jobs_bulk(actor=admin, action="rerun", job_ids=[a.pk, b.pk, running.pk, a.pk])
    assert [o.ok for o in outcomes] == [True, True, False]
    assert JobInfo.objects.filter(previous__isnull=False).count() == 2
    with pytest.raises(DomainError):
        jobs_bulk(actor=admin, action="explode", job_ids=[a.pk])


def test_prune_is_a_dry_run_unless_applied(admin):
    from datetime import timedelta

    from django.utils import timezone

    old = make_job("succeeded")
    DBTaskResult.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=40))
    make_job("succeeded")
    make_job("pending")
    dry = jobs_prune(actor=admin, days=30)
    assert dry.jobs == 1 and not dry.applied and DBTaskResult.objects.count() == 3
    done = jobs_prune(actor=admin, days=30, apply=True)
    assert done.jobs == 1 and DBTaskResult.objects.count() == 2
    assert events("jobs.prune") == [("prune", "ok")]
    with pytest.raises(DomainError):
        jobs_prune(actor=admin, days=0)
