"""No duplicate dispatch (a unique key, not read-then-write), request ids, jobs_for_keys."""

import multiprocessing
import threading
import uuid

import pytest
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from academy.request_id import bind_request_id
from jobs.dispatch import dispatch
from jobs.lifecycle import record_success
from jobs.models import DispatchKey, JobInfo
from jobs.queries import jobs_for_keys
from jobs.tests import sample_tasks as t
from jobs.tests.failed_statements import failed_statements
from jobs.tests.test_worker import run_inline

N = 50


@pytest.mark.django_db
def test_a_second_dispatch_with_an_active_key_returns_the_first_job():
    first = dispatch(t.nap, 0, key="media:42")
    second = dispatch(t.nap, 0, key="media:42")
    assert first.created and not second.created
    assert second.job_id == first.job_id
    assert DBTaskResult.objects.count() == 1
    other = dispatch(t.nap, 0, key="media:43")
    assert other.created and other.job_id != first.job_id


@pytest.mark.django_db
def test_a_key_already_held_is_an_answer_not_a_failed_statement():
    first = dispatch(t.nap, 0, key="incidents:group-reports:1")
    with failed_statements() as failed:
        again = [dispatch(t.nap, 0, key="incidents:group-reports:1") for _ in range(3)]
    assert [d.job_id for d in again] == [first.job_id] * 3 and not any(d.created for d in again)
    assert failed == []
    assert DispatchKey.objects.get().job_id == uuid.UUID(first.job_id)


@pytest.mark.django_db
def test_dispatch_records_the_request_id_and_no_key_means_no_guard():
    with bind_request_id("req-feedface0001"):
        a = dispatch(t.noop)
        b = dispatch(t.noop)
    assert a.job_id != b.job_id
    assert JobInfo.objects.get(job__pk=a.job_id).request_id == "req-feedface0001"
    assert not DispatchKey.objects.exists()


@pytest.mark.django_db
def test_a_stale_key_of_a_finished_job_does_not_block():
    first = dispatch(t.noop, key="k")
    DBTaskResult.objects.filter(pk=first.job_id).update(status="SUCCESSFUL")  # e.g. run by plain db_worker
    again = dispatch(t.noop, key="k")
    assert again.created and again.job_id != first.job_id


@pytest.mark.django_db(transaction=True)
def test_the_key_is_released_when_the_job_finishes():
    dispatch(t.noop, key="media:1")
    run_inline()
    assert not DispatchKey.objects.exists()
    second = dispatch(t.noop, key="media:1")
    assert second.created


def _dispatch_in_thread(barrier: threading.Barrier, results: list) -> None:
    try:
        barrier.wait()
        results.append(dispatch(t.nap, 0, key="race"))
    finally:
        connections.close_all()


def _dispatch_in_process(barrier, queue) -> None:
    for conn in connections.all(initialized_only=True):
        conn.connection = None  # never speak on the parent's socket
    barrier.wait()
    d = dispatch(t.nap, 0, key="race")
    queue.put((d.job_id, d.created))
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_dispatches_with_one_key_make_one_job():
    if connection.vendor == "sqlite":
        barrier = threading.Barrier(N)
        results: list = []
        threads = [threading.Thread(target=_dispatch_in_thread, args=(barrier, results)) for _ in range(N)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(30)
        pairs = [(r.job_id, r.created) for r in results]
    else:
        ctx = multiprocessing.get_context("fork")
        barrier, queue = ctx.Barrier(N), ctx.Queue()
        connection.close()
        procs = [ctx.Process(target=_dispatch_in_process, args=(barrier, queue)) for _ in range(N)]
        for p in procs:
            p.start()
        pairs = [queue.get(timeout=60) for _ in range(N)]
        for p in procs:
            p.join(30)
            assert p.exitcode == 0
    assert len(pairs) == N
    assert DBTaskResult.objects.count() == 1
    assert sum(created for _, created in pairs) == 1
    assert {job_id for job_id, _ in pairs} == {str(DBTaskResult.objects.get().pk)}


@pytest.mark.django_db(transaction=True)
def test_jobs_for_keys_gives_the_latest_job_per_key_in_one_query(django_assert_num_queries):
    done = dispatch(t.noop, key="media:1")
    failed = dispatch(t.boom, "no codec", key="media:2")
    run_inline()
    queued = dispatch(t.noop, key="media:3")
    again = dispatch(t.noop, key="media:1")  # media:1 ran before; this is its latest job
    with django_assert_num_queries(1):
        found = jobs_for_keys(["media:1", "media:2", "media:3", "media:404"])
    assert set(found) == {"media:1", "media:2", "media:3"}
    assert found["media:1"].job_id == again.job_id and found["media:1"].status == "READY"
    assert found["media:2"].status == "FAILED" and found["media:2"].reason == "ValueError: no codec"
    assert found["media:2"].finished_at is not None
    assert found["media:3"].job_id == queued.job_id
    assert done.job_id != again.job_id and failed.created
    with django_assert_num_queries(0):
        assert jobs_for_keys([]) == {}


@pytest.mark.django_db
def test_record_success_of_a_keyless_job_is_one_update_and_a_keyed_one_releases_its_key(
    django_assert_num_queries,
):
    keyless, keyed = dispatch(t.noop), dispatch(t.noop, key="media:2")
    DBTaskResult.objects.update(status="RUNNING")
    claimed = DBTaskResult.objects.select_related("info").get(pk=keyless.job_id)  # as the worker claims
    with django_assert_num_queries(1):
        assert record_success(claimed, None)
    assert record_success(DBTaskResult.objects.get(pk=keyed.job_id), None)  # `info` not loaded: checks
    assert not DispatchKey.objects.exists()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
