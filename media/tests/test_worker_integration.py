"""ProcessVideoProof through the real jobs worker (child processes, dispatch keys, retries)."""

import pytest
from django_tasks_db.models import DBTaskResult

from jobs.models import JobInfo
from jobs.runtime import read_limits
from jobs.worker import Worker
from media import jobstate, queries, services, storage
from media.models import MediaItem
from tests.s3_fixtures import UNREACHABLE, point_store_at

pytestmark = pytest.mark.django_db(transaction=True)
MiB = 2**20


def run_worker() -> Worker:
    worker = Worker(limits=read_limits(512 * MiB), queues=["*"], batch=True, interval=0)
    worker.run()
    return worker


def test_an_uploaded_video_is_processed_by_the_worker(any_storage, put, videos, work_dir, parent, student):
    key = put(videos["tiny_audio"])
    item = services.media_item_create_from_upload(actor=parent, storage_key=key, original_name="proof.mp4")
    assert queries.rows_for([MediaItem.objects.for_media_insights().get(pk=item.pk)])[0].state == "queued"

    run_worker()

    job = DBTaskResult.objects.get(task_path=jobstate.OPTIMISE_TASK_PATH)
    assert job.status == "SUCCESSFUL", job.traceback
    assert sorted(item.variants.values_list("role", flat=True)) == ["original", "poster", "web"]
    row = queries.rows_for([MediaItem.objects.for_media_insights().get(pk=item.pk)])[0]
    assert row.state == "optimised" and not row.eligible


def test_a_bad_video_fails_once_with_a_reason_on_the_page(
    local_storage, put, videos, work_dir, admin, parent, student
):
    item = services.media_item_create_from_upload(
        actor=parent, storage_key=put(videos["truncated"]), original_name="cut.mp4"
    )
    assert item.kind == "video"

    run_worker()

    jobs = DBTaskResult.objects.filter(task_path=jobstate.OPTIMISE_TASK_PATH)
    assert [j.status for j in jobs] == ["FAILED"]  # permanent: no retry
    row = queries.rows_for([MediaItem.objects.for_media_insights().get(pk=item.pk)])[0]
    assert row.state == "refused" and not row.eligible  # trying again would be refused again
    assert row.error.startswith("This file is not a video we can read")
    assert storage.exists(item.variants.get().storage_key)  # the original is kept


def test_a_store_outage_is_retried_with_backoff(s3_storage, settings, put, videos, work_dir, parent, student):
    item = services.media_item_create_from_upload(
        actor=parent, storage_key=put(videos["tiny"]), original_name="v.mp4"
    )
    endpoint = point_store_at(settings, UNREACHABLE)  # the worker forks: its jobs see this store

    run_worker()

    first, retry = DBTaskResult.objects.filter(task_path=jobstate.OPTIMISE_TASK_PATH).order_by("enqueued_at")
    assert first.status == "FAILED" and "StorageUnavailable" in first.exception_class_path
    assert retry.status == "READY" and retry.run_after > first.finished_at
    assert JobInfo.objects.get(job=retry).attempt == 2
    assert queries.rows_for([MediaItem.objects.for_media_insights().get(pk=item.pk)])[0].state == "queued"
    with pytest.raises(Exception, match="already queued"):
        services.media_optimise_request(actor=parent, item=item)

    point_store_at(settings, endpoint)
    assert storage.stat(item.variants.get().storage_key).size == item.size_bytes  # original intact
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=first.finished_at)  # skip the backoff
    run_worker()
    assert DBTaskResult.objects.get(pk=retry.pk).status == "SUCCESSFUL"
    assert item.variants.count() == 3
