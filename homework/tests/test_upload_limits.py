"""Per-customer upload caps: uploads open at once and bytes per day, refused with a clear 429."""

import pytest
import time_machine
from django.utils import timezone

from homework import queries, upload_limits
from homework.models import UploadSession
from homework.tests.conftest import PDF, create

pytestmark = pytest.mark.django_db


def test_open_uploads_are_capped_per_customer(
    local_storage, settings, parent, parent_client, other_parent_client, student, other_student
):
    settings.HOMEWORK_MAX_OPEN_UPLOADS = 2
    for name in ("a.pdf", "b.pdf"):
        assert create(parent_client, student, name, 100, "application/pdf").status_code == 201

    refused = create(parent_client, student, "c.pdf", 100, "application/pdf")

    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "too_many_uploads"
    assert "2 uploads in progress" in error["message"] and "cancel one" in error["message"]
    assert UploadSession.objects.filter(uploader=parent).count() == 2
    # Another customer is not held up by this one.
    assert create(other_parent_client, other_student, "d.pdf", 100, "application/pdf").status_code == 201
    # Cancelling one frees a place.
    first = UploadSession.objects.filter(uploader=parent).first()
    assert parent_client.post(f"/portal/homework/uploads/{first.pk}/abort/").status_code == 200
    assert create(parent_client, student, "c.pdf", 100, "application/pdf").status_code == 201


def test_bytes_per_day_are_capped_with_a_time_to_wait(
    local_storage, settings, parent, parent_client, student, upload
):
    settings.HOMEWORK_MAX_UPLOAD_BYTES_PER_DAY = 3 * len(PDF)
    with time_machine.travel("2026-11-02 09:00 +00:00", tick=False):
        for name in ("a.pdf", "b.pdf"):
            assert upload(parent_client, student, name, PDF, "application/pdf").status_code == 200
        cancelled = create(parent_client, student, "c.pdf", len(PDF), "application/pdf").json()
        parent_client.post(f"/portal/homework/uploads/{cancelled['id']}/abort/")  # a cancel does not count
    with time_machine.travel("2026-11-02 15:00 +00:00", tick=False):
        refused = create(parent_client, student, "big.pdf", 2 * len(PDF), "application/pdf")

        assert refused.status_code == 429
        assert refused["Retry-After"] == str(18 * 3600)
        message = refused.json()["error"]["message"]
        assert refused.json()["error"]["code"] == "daily_upload_limit"
        assert "big.pdf" in message and "daily limit" in message and "try again in 18 hours" in message
        assert create(parent_client, student, "ok.pdf", len(PDF), "application/pdf").status_code == 201
    with time_machine.travel("2026-11-03 09:01 +00:00", tick=False):  # the first two left the window
        assert create(parent_client, student, "big.pdf", 2 * len(PDF), "application/pdf").status_code == 201


def test_usage_is_one_query(local_storage, parent, parent_client, student, django_assert_num_queries):
    create(parent_client, student, "a.pdf", 100, "application/pdf")
    with django_assert_num_queries(1):
        usage = queries.upload_usage(parent, since=timezone.now() - upload_limits.DAY)
    assert (usage.open_sessions, usage.bytes_since) == (1, 100)
