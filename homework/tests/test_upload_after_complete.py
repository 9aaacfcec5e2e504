"""After "complete", nothing a browser still holds can change the stored, checked file (S3).

A presigned PUT URL stays valid until it expires; a multipart upload's part URLs die with the
upload. Either way, a late PUT must not change what the app serves or processes.
"""

import os

import pytest
import requests

from homework.models import UploadSession
from homework.tests.conftest import PDF, complete, create, send_bytes
from media import storage
from media.models import MediaItem
from media.tasks import process_video_proof

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><title>not homework</title>" + b"<p>x</p>" * 400_000  # ~3 MB


def _bucket_keys() -> set[str]:
    listed = storage.s3_client().list_objects_v2(Bucket=storage.s3_bucket())
    return {obj["Key"] for obj in listed.get("Contents", [])}


def _served(client, variant_id: int) -> bytes:
    response = client.get(f"/portal/homework/files/{variant_id}/")
    assert response.status_code == 302  # S3: a presigned GET of the variant's key
    return requests.get(response["Location"], timeout=10).content


def test_a_put_to_the_single_put_url_after_complete_changes_nothing(s3_storage, parent_client, student):
    plan = create(parent_client, student, "worksheet.pdf", len(PDF), "application/pdf").json()
    assert plan["put_url"] and not plan["part_urls"]
    send_bytes(parent_client, plan, PDF)
    assert complete(parent_client, plan).status_code == 200
    variant = MediaItem.objects.get().variants.get()
    assert _bucket_keys() == {variant.storage_key}  # the staging copy is gone

    late = requests.put(plan["put_url"], data=HTML, headers={"Content-Type": "application/pdf"}, timeout=30)

    assert late.status_code in (200, 403, 404)  # whatever the store says, the checked file stands
    assert storage.stat(variant.storage_key).size == len(PDF)
    assert _served(parent_client, variant.pk) == PDF
    assert UploadSession.objects.get().state == "completed"


def test_a_video_processed_after_a_late_put_is_the_uploaded_one(
    s3_storage, settings, parent_client, student, small_video, tmp_path
):
    settings.MEDIA_WORK_DIR = str(tmp_path)
    data = small_video.read_bytes()  # a few KB test fixture
    plan = create(parent_client, student, "proof.mp4", len(data), "video/mp4").json()
    send_bytes(parent_client, plan, data)
    item = MediaItem.objects.get(pk=complete(parent_client, plan).json()["media"])

    requests.put(
        plan["put_url"], data=b"not a video " * 1000, headers={"Content-Type": "video/mp4"}, timeout=30
    )
    process_video_proof.call(item.pk)

    assert sorted(item.variants.values_list("role", flat=True)) == ["original", "poster", "web"]
    assert _served(parent_client, item.variants.get(role="original").pk) == data


def test_a_part_url_is_dead_after_complete(s3_storage, settings, parent_client, student):
    settings.HOMEWORK_UPLOAD_PART_SIZE = 5 * 1024 * 1024
    data = PDF + os.urandom(6 * 1024 * 1024)
    plan = create(parent_client, student, "scan.pdf", len(data), "application/pdf").json()
    send_bytes(parent_client, plan, data)
    assert complete(parent_client, plan).status_code == 200
    variant = MediaItem.objects.get().variants.get()

    late = requests.put(plan["part_urls"][0], data=HTML, timeout=30)

    assert not late.ok  # S3 answers 404 NoSuchUpload (moto: a 500)
    assert storage.stat(variant.storage_key).size == len(data)
    assert storage.read_head(variant.storage_key, len(PDF)) == PDF


def test_what_a_late_put_leaves_is_swept_once_its_url_is_dead(s3_storage, parent_client, student):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from homework.tasks import ABANDONED_AFTER, expire_abandoned_uploads

    plan = create(parent_client, student, "worksheet.pdf", len(PDF), "application/pdf").json()
    send_bytes(parent_client, plan, PDF)
    assert complete(parent_client, plan).status_code == 200
    variant = MediaItem.objects.get().variants.get()
    requests.put(plan["put_url"], data=HTML, headers={"Content-Type": "application/pdf"}, timeout=30)
    assert len(_bucket_keys()) == 2  # moto takes the late PUT into the staging key

    expire_abandoned_uploads.call()
    assert len(_bucket_keys()) == 2  # too soon: nothing is swept while its URL may still be used
    with time_machine.travel(timezone.now() + ABANDONED_AFTER + timedelta(minutes=30)):
        expire_abandoned_uploads.call()

    assert _bucket_keys() == {variant.storage_key}
    assert storage.stat(variant.storage_key).size == len(PDF)
