"""Media services: recording finished uploads (sniffed types, limits, access) and optimise requests."""

import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, close_old_connections

from academy.errors import Conflict, DomainError
from audit.models import AuditEvent
from media import jobstate, services, storage
from media.models import MediaItem, MediaVariant
from media.tests.factories import stored_video
from tests.s3_fixtures import UNREACHABLE, point_store_at

pytestmark = pytest.mark.django_db


def _active_jobs(item_id: int) -> int:
    from django_tasks_db.models import DBTaskResult

    return sum(
        1
        for row in DBTaskResult.objects.filter(
            task_path=jobstate.OPTIMISE_TASK_PATH, status__in=["READY", "RUNNING"]
        )
        if row.args_kwargs.get("args") == [item_id]
    )


def test_video_upload_is_recorded_sniffed_and_dispatched(any_storage, put, videos, parent, student):
    key = put(videos["tiny"], "application/octet-stream")

    item = services.media_item_create_from_upload(actor=parent, storage_key=key, original_name="proof.MOV")

    assert item.kind == "video" and item.content_type == "video/mp4"
    assert item.size_bytes == videos["tiny"].stat().st_size
    original = item.variants.get()
    assert (original.role, original.storage_key) == ("original", key)
    assert _active_jobs(item.pk) == 1
    event = AuditEvent.objects.get(action="media.uploaded")
    assert event.entity_id == str(item.pk) and event.actor == parent


def test_renamed_text_file_is_a_document(any_storage, put, videos, parent, student):
    key = put(videos["text"])
    item = services.media_item_create_from_upload(actor=parent, storage_key=key, original_name="notes.mp4")
    assert (item.kind, item.content_type) == ("document", "text/plain")
    assert _active_jobs(item.pk) == 0


@pytest.mark.parametrize("name", ["noise"])
def test_disallowed_type_is_refused_and_removed(any_storage, put, videos, parent, student, name):
    key = put(videos[name])
    with pytest.raises(DomainError) as caught:
        services.media_item_create_from_upload(actor=parent, storage_key=key, original_name="x.mp4")
    assert (caught.value.code, caught.value.status) == ("type_not_allowed", 415)
    assert "Allowed:" in caught.value.message
    assert not storage.exists(key)
    assert not MediaItem.objects.exists()


def test_zip_is_refused(any_storage, put, tmp_path, parent, student):
    import zipfile

    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.txt", "hello")
    key = put(path)
    with pytest.raises(DomainError, match="not accepted"):
        services.media_item_create_from_upload(actor=parent, storage_key=key, original_name="a.pdf")
    assert not storage.exists(key)


def test_over_limit_is_refused_and_removed(any_storage, put, videos, settings, parent, student):
    settings.MEDIA_MAX_VIDEO_BYTES = 1000
    key = put(videos["tiny"])
    with pytest.raises(DomainError) as caught:
        services.media_item_create_from_upload(actor=parent, storage_key=key, original_name="v.mp4")
    assert (caught.value.code, caught.value.status) == ("too_large", 413)
    assert not storage.exists(key)


def test_optimise_request_then_refusals(local_storage, videos, admin, parent, student):
    item = stored_video(path=videos["tiny"], uploader=parent)

    queued = services.media_optimise_request(actor=admin, item=item)
    assert queued.job_id and _active_jobs(item.pk) == 1
    assert AuditEvent.objects.filter(action="media.optimise_requested", entity_id=str(item.pk)).count() == 1

    with pytest.raises(Conflict) as caught:
        services.media_optimise_request(actor=admin, item=item)
    assert caught.value.code == "already_queued"
    assert _active_jobs(item.pk) == 1


def test_optimised_item_is_refused(local_storage, videos, work_dir, admin, parent, student):
    from media.tasks import process_video_proof

    item = stored_video(path=videos["tiny"], uploader=parent)
    process_video_proof.call(item.pk)
    with pytest.raises(Conflict) as caught:
        services.media_optimise_request(actor=admin, item=item)
    assert caught.value.code == "already_optimised"


def test_document_is_not_eligible(local_storage, put, videos, admin, parent, student):
    key = put(videos["text"])
    item = services.media_item_create_from_upload(actor=parent, storage_key=key, original_name="n.txt")
    with pytest.raises(Conflict, match="Only a video"):
        services.media_optimise_request(actor=admin, item=item)


def test_optimise_all_dispatches_each_eligible_item_once(
    local_storage, videos, work_dir, admin, parent, student
):
    from media.tasks import process_video_proof

    a = stored_video(path=videos["tiny"], uploader=parent)
    b = stored_video(path=videos["tiny"], uploader=parent)
    done = stored_video(path=videos["tiny"], uploader=parent)
    process_video_proof.call(done.pk)

    first = services.media_optimise_all_eligible(actor=admin)
    second = services.media_optimise_all_eligible(actor=admin)

    assert sorted(first.queued) == sorted([a.pk, b.pk])
    assert second.queued == []
    assert _active_jobs(a.pk) == _active_jobs(b.pk) == 1
    assert _active_jobs(done.pk) == 0


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_requests_make_one_job(local_storage, videos, admin, parent, student):
    item = stored_video(path=videos["tiny"], uploader=parent)
    outcomes: list[str] = []
    barrier = threading.Barrier(50)

    def request() -> None:
        barrier.wait()
        try:
            for _ in range(500):
                try:
                    services.media_optimise_request(actor=admin, item=item)
                    outcomes.append("queued")
                    return
                except Conflict as exc:
                    outcomes.append(exc.code)
                    return
                except OperationalError as exc:
                    # SQLite can answer a concurrent writer "database is locked" once its busy
                    # timeout runs out (50 threads on one file): the caller tries again, as a
                    # browser would. PostgreSQL never takes this path.
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.01)
            outcomes.append("gave up")
        except Exception as exc:  # surfaced by the assertions below
            outcomes.append(f"error: {exc!r}")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=request) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes.count("queued") == 1, outcomes
    assert outcomes.count("already_queued") == 49, outcomes
    assert _active_jobs(item.pk) == 1


def test_delete_removes_rows_and_objects(
    local_storage, videos, work_dir, admin, parent, student, django_capture_on_commit_callbacks
):
    from media.tasks import process_video_proof

    item = stored_video(path=videos["tiny"], uploader=parent)
    process_video_proof.call(item.pk)
    keys = list(item.variants.values_list("storage_key", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.media_item_delete(actor=admin, item=item)
    assert not MediaVariant.objects.exists()
    assert not any(storage.exists(k) for k in keys)
    assert AuditEvent.objects.filter(action="media.deleted").exists()


def test_sniffing_uses_content_not_name(tmp_path: Path):
    from media.sniff import sniff

    assert sniff(b"%PDF-1.7\n") == "application/pdf"
    assert sniff("héllo wörld".encode()) == "text/plain"
    assert sniff(b"\x00\x01\x02\xff") == ""


def test_store_outage_keeps_the_upload_for_a_retry(s3_storage, settings, put, videos, parent, student):
    key = put(videos["tiny"])
    endpoint = point_store_at(settings, UNREACHABLE)
    with pytest.raises(storage.StorageUnavailable):
        services.media_item_create_from_upload(actor=parent, storage_key=key, original_name="v.mp4")
    point_store_at(settings, endpoint)
    assert storage.exists(key)
    item = services.media_item_create_from_upload(actor=parent, storage_key=key, original_name="v.mp4")
    assert item.kind == "video"
