"""Upload sessions over HTTP, on the local and S3 backends: what is stored, what is refused,
and that nothing partial is left behind."""

import os

import pytest
from django.utils import timezone

from academy.errors import DomainError
from homework import services, upload_sessions
from homework.models import Homework, UploadSession
from homework.tests.conftest import PDF, complete, create, send_bytes
from media import jobstate, storage
from media.models import MediaItem

pytestmark = pytest.mark.django_db


def _gone(session: UploadSession) -> bool:
    if session.backend == "s3":
        uploads = storage.s3_client().list_multipart_uploads(Bucket=storage.s3_bucket()).get("Uploads", [])
        keys = {session.storage_key, upload_sessions._final_key(session)}
        return not any(storage.exists(key) for key in keys) and not uploads
    return not storage.exists(session.storage_key)


def test_a_document_is_stored_and_listed(any_storage, parent_client, parent, student, upload):
    response = upload(parent_client, student, "worksheet.pdf", PDF, "application/pdf")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "completed" and body["kind"] == "document"
    item = MediaItem.objects.get(pk=body["media"])
    assert item.content_type == "application/pdf" and item.size_bytes == len(PDF)
    homework = item.homework_file.homework  # homework links to its files
    assert homework.title == "Week 1" and homework.student == student
    assert item.uploader == parent
    assert storage.stat(item.variants.get().storage_key).size == len(PDF)
    page = parent_client.get("/portal/homework/")
    assert b"worksheet.pdf" in page.content and b"Week 1" in page.content


def test_a_video_is_stored_and_its_processing_dispatched_once(
    any_storage, parent_client, student, upload, small_video
):
    data = small_video.read_bytes()  # a test fixture of a few KB, not an upload in the app
    response = upload(parent_client, student, "proof.mp4", data, "video/mp4")
    assert response.status_code == 200, response.content
    item = MediaItem.objects.get(pk=response.json()["media"])
    assert item.kind == "video"
    assert jobstate.states_for([item.pk])[item.pk].status == "queued"


def test_second_file_joins_the_same_homework(any_storage, parent_client, student, upload):
    first = upload(parent_client, student, "a.pdf", PDF, "application/pdf").json()
    second = upload(
        parent_client, student, "b.txt", b"my answers\n" * 10, "text/plain", homework=first["homework"]
    )
    assert second.json()["homework"] == first["homework"]
    assert Homework.objects.get().media.count() == 2


def test_content_decides_the_type_not_the_name(any_storage, parent_client, student, upload):
    noise = bytes(range(256)) * 4 + b"\x8f\x13" * 3000
    response = upload(parent_client, student, "holiday.mp4", noise, "video/mp4")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "type_not_allowed"
    assert "Allowed:" in response.json()["error"]["message"]
    session = UploadSession.objects.get()
    assert session.state == "failed" and _gone(session)
    assert not MediaItem.objects.exists()


def test_a_disallowed_type_is_refused_before_the_upload(any_storage, parent_client, student):
    response = create(parent_client, student, "setup.exe", 1000, "application/x-msdownload")
    assert response.status_code == 415
    assert "Allowed:" in response.json()["error"]["message"]
    assert not UploadSession.objects.exists() and not Homework.objects.exists()


def test_over_the_limit_is_refused_before_the_upload(any_storage, settings, parent_client, student):
    settings.MEDIA_MAX_FILE_BYTES = 1000
    response = create(parent_client, student, "big.pdf", 1001, "application/pdf")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert create(parent_client, student, "ok.pdf", 1000, "application/pdf").status_code == 201


def test_more_than_declared_is_refused_during_a_local_upload(local_storage, parent_client, student):
    plan = create(parent_client, student, "w.pdf", 100, "application/pdf").json()
    response = send_bytes(parent_client, plan, PDF)  # longer than the 100 bytes declared
    assert response.status_code == 413
    session = UploadSession.objects.get()
    assert session.state == "failed" and _gone(session)


def test_a_lying_declaration_is_caught_by_the_head_on_s3(s3_storage, parent_client, student):
    plan = create(parent_client, student, "w.pdf", 100, "application/pdf").json()
    send_bytes(parent_client, plan, PDF)  # the bucket takes it; the HEAD tells the truth
    response = complete(parent_client, plan)
    assert response.status_code == 400 and response.json()["error"]["code"] == "size_mismatch"
    assert _gone(UploadSession.objects.get())


def test_s3_multipart_with_equal_parts(s3_storage, settings, parent_client, student):
    settings.HOMEWORK_UPLOAD_PART_SIZE = 5 * 1024 * 1024
    data = PDF + os.urandom(11 * 1024 * 1024)
    plan = create(parent_client, student, "scan.pdf", len(data), "application/pdf").json()
    assert plan["part_size"] == 5 * 1024 * 1024 and len(plan["part_urls"]) == 3
    assert not plan["put_url"]
    send_bytes(parent_client, plan, data)
    response = complete(parent_client, plan)
    assert response.status_code == 200, response.content
    session = UploadSession.objects.get()
    assert storage.stat(session.storage_key).size == len(data)
    assert session.media_item.size_bytes == len(data)


def test_s3_multipart_completed_by_a_try_whose_answer_was_lost_is_confirmed_on_retry(
    s3_storage, settings, parent_client, student
):
    """Found by bench/soak.py: S3 went away while the app completed a multipart upload; the store
    had completed it, the app saw an error (503) and the browser retried; the retry found no
    multipart upload (404) and removed the file, so the parent's upload was lost."""
    settings.HOMEWORK_UPLOAD_PART_SIZE = 5 * 1024 * 1024
    data = PDF + os.urandom(6 * 1024 * 1024)
    plan = create(parent_client, student, "scan.pdf", len(data), "application/pdf").json()
    send_bytes(parent_client, plan, data)
    session = UploadSession.objects.get()
    parts = storage.s3_client().list_parts(
        Bucket=storage.s3_bucket(), Key=session.storage_key, UploadId=session.multipart_upload_id
    )["Parts"]
    storage.multipart_complete(  # the first try's completion, whose answer never came back
        session.storage_key,
        session.multipart_upload_id,
        [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in parts],
    )
    response = complete(parent_client, plan)
    assert response.status_code == 200, response.content
    assert storage.stat(session.storage_key).size == len(data)
    assert UploadSession.objects.get().media_item.size_bytes == len(data)


def test_s3_multipart_missing_part_is_refused_and_aborted(s3_storage, settings, parent_client, student):
    settings.HOMEWORK_UPLOAD_PART_SIZE = 5 * 1024 * 1024
    data = PDF + os.urandom(6 * 1024 * 1024)
    plan = create(parent_client, student, "scan.pdf", len(data), "application/pdf").json()
    plan["part_urls"] = plan["part_urls"][:1]
    send_bytes(parent_client, plan, data)
    response = complete(parent_client, plan)
    assert response.status_code == 400 and response.json()["error"]["code"] == "upload_incomplete"
    assert _gone(UploadSession.objects.get())


def test_cancel_leaves_nothing(any_storage, settings, parent_client, student):
    settings.HOMEWORK_UPLOAD_PART_SIZE = 5 * 1024 * 1024
    settings.HOMEWORK_UPLOAD_CHUNK_SIZE = 1024 * 1024
    data = PDF + os.urandom(6 * 1024 * 1024)
    plan = create(parent_client, student, "scan.pdf", len(data), "application/pdf").json()
    if plan["backend"] == "local":
        first = parent_client.post(
            f"/portal/homework/uploads/{plan['id']}/chunk/?offset=0",
            data[: plan["chunk_size"]],
            content_type="application/octet-stream",
        )
        assert first.status_code == 200 and first.json()["bytes_received"] == plan["chunk_size"]
    else:
        plan["part_urls"] = plan["part_urls"][:1]
        send_bytes(parent_client, plan, data)
    for _ in range(2):  # idempotent
        response = parent_client.post(
            f"/portal/homework/uploads/{plan['id']}/abort/", HTTP_ACCEPT="application/json"
        )
        assert response.status_code == 200 and response.json()["state"] == "aborted"
    assert _gone(UploadSession.objects.get())
    assert complete(parent_client, plan).status_code == 409


def test_a_resent_chunk_is_refused_with_the_size_we_have(local_storage, parent_client, student):
    plan = create(parent_client, student, "w.txt", 20, "text/plain").json()
    url = f"/portal/homework/uploads/{plan['id']}/chunk/"
    assert (
        parent_client.post(
            f"{url}?offset=0",
            b"0123456789",
            content_type="application/octet-stream",
            HTTP_ACCEPT="application/json",
        ).status_code
        == 200
    )
    again = parent_client.post(
        f"{url}?offset=0",
        b"0123456789",
        content_type="application/octet-stream",
        HTTP_ACCEPT="application/json",
    )
    assert again.status_code == 409 and again.json()["error"]["details"]["size"] == 10
    assert (
        parent_client.post(
            f"{url}?offset=10",
            b"abcdefghij",
            content_type="application/octet-stream",
            HTTP_ACCEPT="application/json",
        ).status_code
        == 200
    )
    assert complete(parent_client, plan).status_code == 200


def test_a_chunk_over_the_chunk_size_is_refused(local_storage, settings, parent_client, student):
    settings.HOMEWORK_UPLOAD_CHUNK_SIZE = 16
    plan = create(parent_client, student, "w.txt", 40, "text/plain").json()
    response = parent_client.post(
        f"/portal/homework/uploads/{plan['id']}/chunk/?offset=0",
        b"x" * 17,
        content_type="application/octet-stream",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_chunk"


def test_stale_sessions_expire_and_are_cleaned(local_storage, parent_client, student):
    plan = create(parent_client, student, "w.txt", 20, "text/plain").json()
    parent_client.post(
        f"/portal/homework/uploads/{plan['id']}/chunk/?offset=0",
        b"0123456789",
        content_type="application/octet-stream",
        HTTP_ACCEPT="application/json",
    )
    session = UploadSession.objects.get()
    assert storage.exists(session.storage_key)
    assert (
        upload_sessions.upload_sessions_expire(older_than=timezone.now() - timezone.timedelta(hours=1)) == 0
    )
    assert (
        upload_sessions.upload_sessions_expire(older_than=timezone.now() + timezone.timedelta(seconds=1)) == 1
    )
    session.refresh_from_db()
    assert session.state == "aborted" and session.error_code == "expired" and _gone(session)


def test_empty_and_untitled_are_refused(local_storage, parent_client, student):
    assert create(parent_client, student, "w.txt", 0, "text/plain").json()["error"]["code"] == "empty_file"
    response = create(parent_client, student, "w.txt", 5, "text/plain", title="  ")
    assert response.status_code == 400 and response.json()["error"]["code"] == "title_required"


def test_a_second_complete_is_refused_and_records_nothing_twice(any_storage, parent_client, student):
    plan = create(parent_client, student, "w.pdf", len(PDF), "application/pdf").json()
    send_bytes(parent_client, plan, PDF)
    assert complete(parent_client, plan).status_code == 200
    again = complete(parent_client, plan)
    assert again.status_code == 409 and again.json()["error"]["code"] == "upload_closed"
    assert MediaItem.objects.count() == 1


def test_abandoned_uploads_are_expired_by_the_scheduler(local_storage, parent_client, student):
    from homework.tasks import expire_abandoned_uploads
    from jobs.periodic import REGISTRY

    assert REGISTRY["homework.expire_uploads"].task is expire_abandoned_uploads
    plan = create(parent_client, student, "w.txt", 20, "text/plain").json()
    UploadSession.objects.filter(pk=plan["id"]).update(updated_at=timezone.now() - timezone.timedelta(days=2))
    assert expire_abandoned_uploads.call() == 1
    assert UploadSession.objects.get().state == "aborted"
    assert expire_abandoned_uploads.call() == 0


def test_homework_for_a_task_takes_the_task_and_its_title(
    local_storage, parent_client, admin_client, student, other_student
):
    from datetime import date

    from academics.tasks.models import Task

    task = Task.objects.create(title="Times tables", start_date=date(2026, 1, 5))
    task.students.add(student)
    page = parent_client.get("/portal/homework/").content.decode()
    assert f'value="{task.pk}" data-student="{student.pk}"' in page
    body = create(parent_client, student, "w.txt", 5, "text/plain", title="", task=task.pk).json()
    homework = Homework.objects.get(pk=body["homework"])
    assert (homework.task, homework.title) == (task, "Times tables")  # a real foreign key
    review_page = admin_client.get(f"/admin/academic/homework/{homework.pk}/").content.decode()
    assert f'href="/admin/academic/tasks/{task.pk}/"' in review_page
    # A task of another student, or one no longer active, is refused: nothing is created.
    other = Task.objects.create(title="Essay", start_date=date(2026, 1, 5))
    other.students.add(other_student)
    task.is_active = False
    task.save()
    for task_id in (other.pk, task.pk):
        response = create(parent_client, student, "w.txt", 5, "text/plain", task=task_id)
        assert response.status_code == 404 and response.json()["error"]["code"] == "task_not_found"
    assert Homework.objects.count() == 1 and UploadSession.objects.count() == 1
    assert f'value="{other.pk}"' not in parent_client.get("/portal/homework/").content.decode()


def test_a_customer_opens_their_own_files_and_no_one_elses(
    any_storage, parent_client, other_parent_client, admin_client, student, upload
):
    body = upload(parent_client, student, "worksheet.pdf", PDF, "application/pdf").json()
    variant = MediaItem.objects.get(pk=body["media"]).variants.get()
    url = f"/portal/homework/files/{variant.pk}/"
    assert f'href="{url}"'.encode() in parent_client.get("/portal/homework/").content
    response = parent_client.get(url)
    if response.status_code == 302:  # S3: a short-lived presigned link to the bucket
        import requests

        assert requests.get(response["Location"], timeout=10).content == PDF
    else:
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    refused = other_parent_client.get(url, HTTP_ACCEPT="application/json")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "file_not_found"
    assert admin_client.get(url).status_code == 403  # admins review from the admin pages


def test_a_file_for_another_customers_student_is_refused_and_removed(
    any_storage, small_video, parent, other_student
):
    """Only a customer of the homework's student hands a file in: media itself knows no students."""
    homework = Homework.objects.create(student=other_student, submitted_by=parent, title="Week 1")
    key = storage.new_key("test", small_video.name)
    storage.upload_from_path(small_video, key, content_type="video/mp4")
    with pytest.raises(DomainError) as caught:
        services.homework_file_add(actor=parent, homework=homework, storage_key=key, original_name="v.mp4")
    assert (caught.value.code, caught.value.status) == ("student_not_found", 404)
    assert not storage.exists(key)
    assert not MediaItem.objects.exists()


def test_deleting_a_task_keeps_its_homework(local_storage, parent_client, student):
    from datetime import date

    from academics.models import Task

    task = Task.objects.create(title="Times tables", start_date=date(2026, 1, 5))
    task.students.add(student)
    body = create(parent_client, student, "w.txt", 5, "text/plain", title="", task=task.pk).json()
    task.delete()
    homework = Homework.objects.get(pk=body["homework"])
    assert (homework.task, homework.title) == (None, "Times tables")
