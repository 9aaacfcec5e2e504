"""Retry policies: transient errors retried with backoff, every attempt kept, key carried over."""

import pytest
from django_tasks_db.models import DBTaskResult

from jobs.dispatch import dispatch
from jobs.models import DispatchKey, JobInfo
from jobs.queries import job_detail
from jobs.retry import RetryPolicy, policy_for, retry_policy
from jobs.tests import sample_tasks as t
from jobs.tests.test_worker import run_inline


def test_backoff_is_exponential_capped_and_jittered():
    policy = RetryPolicy(backoff_base=2, backoff_max=30, jitter=0.5)
    for attempt, ceiling in [(1, 2), (2, 4), (3, 8), (4, 16), (5, 30), (9, 30)]:
        delays = [policy.delay(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jitter


def test_policy_is_declared_per_task_and_matches_by_class():
    policy = policy_for(t.flaky.module_path)
    assert policy is not None and policy.max_attempts == 3
    assert policy.is_transient(["jobs.tests.sample_tasks.FlakyStorageError", "builtins.Exception"])
    assert not policy.is_transient(["builtins.ValueError", "builtins.Exception"])
    assert policy_for(t.boom.module_path) is None
    with pytest.raises(TypeError):
        retry_policy(lambda: None, max_attempts=2)  # type: ignore[call-overload]


@pytest.mark.django_db(transaction=True)
def test_a_transient_failure_is_retried_and_every_attempt_is_kept():
    first = dispatch(t.flaky, 2, key="flaky:1")
    run_inline()
    chain = job_detail(first.job_id).chain
    assert [(a.attempt, a.status) for a in chain] == [(1, "FAILED"), (2, "FAILED"), (3, "SUCCESSFUL")]
    assert chain[0].reason == "FlakyStorageError: storage hiccup 1"
    assert [a.cause for a in chain] == ["dispatched", "automatic retry", "automatic retry"]
    assert JobInfo.objects.filter(key="flaky:1").count() == 3
    assert not DispatchKey.objects.exists()  # released after the last attempt


@pytest.mark.django_db(transaction=True)
def test_a_lost_database_connection_is_retried_for_any_task_with_a_policy():
    """Found by bench/soak.py: pg_terminate_backend mid video job failed it for good, leaving
    the video unprocessed with "OperationalError: terminating connection" as its reason."""
    first = dispatch(t.cut_off_once, key="cut:1")
    run_inline()
    chain = job_detail(first.job_id).chain
    assert [(a.attempt, a.status) for a in chain] == [(1, "FAILED"), (2, "SUCCESSFUL")]
    assert chain[0].reason == "OperationalError: terminating connection due to administrator command"
    assert not policy_for(t.boom.module_path)  # without a policy nothing is retried, as before


@pytest.mark.django_db(transaction=True)
def test_retries_stop_at_max_attempts():
    first = dispatch(t.flaky, 10)
    run_inline()
    chain = job_detail(first.job_id).chain
    assert [a.status for a in chain] == ["FAILED"] * 3


@pytest.mark.django_db(transaction=True)
def test_while_a_retry_waits_its_key_stays_held():
    retry_policy(t.boom, max_attempts=2, backoff_base=3600, transient=(ValueError,))
    try:
        first = dispatch(t.boom, "x", key="boom:1")
        run_inline()
        waiting = JobInfo.objects.get(previous__pk=first.job_id)
        assert waiting.job.status == "READY" and waiting.job.run_after > waiting.job.enqueued_at
        again = dispatch(t.boom, "x", key="boom:1")
        assert not again.created and again.job_id == str(waiting.job_id)
    finally:
        from jobs.retry import POLICIES

        POLICIES.pop(t.boom.module_path, None)


@pytest.mark.django_db(transaction=True)
def test_a_non_transient_error_is_not_retried():
    first = dispatch(t.boom, "bad input")
    run_inline()
    assert DBTaskResult.objects.filter(task_path=t.boom.module_path).count() == 1
    assert not JobInfo.objects.filter(previous__pk=first.job_id).exists()


@pytest.mark.django_db(transaction=True)
def test_a_lost_workers_job_is_retried_ahead_of_the_jobs_waiting():
    """A job whose worker died had waited its turn once: its retry is claimed before the jobs that
    arrived after it, not behind them (the soak's recovery after a kill was mostly that wait), and
    its times stay true (enqueued when retried: the queue-wait alert and the key's history read them)."""
    from django.utils import timezone

    from jobs.lifecycle import WORKER_LOST_CLASS, Failure, record_failure

    lost = dispatch(t.flaky, 1, key="lost:1")
    later = [dispatch(t.noop).job_id for _ in range(3)]
    DBTaskResult.objects.filter(pk=lost.job_id).update(
        status="RUNNING", started_at=timezone.now(), worker_ids=["gone"]
    )
    failure = Failure(WORKER_LOST_CLASS, "", "the worker was lost", worker_lost=True)
    retry_id = record_failure(lost.job_id, failure)

    assert retry_id is not None
    order = [str(pk) for pk in DBTaskResult.objects.ready().values_list("id", flat=True)]
    assert order == [retry_id, *later]  # the model's ordering is the workers' claim order
    retry, original = DBTaskResult.objects.get(pk=retry_id), DBTaskResult.objects.get(pk=lost.job_id)
    assert retry.priority == original.priority + 1
    assert retry.enqueued_at >= original.finished_at
