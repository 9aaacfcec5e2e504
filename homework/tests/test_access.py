"""Every homework view, tried by each person."""

import pytest

from audit.models import AuditEvent
from homework.models import Homework
from homework.tests.conftest import PDF, create

pytestmark = pytest.mark.django_db


def test_portal_homework_page_by_person(parent_client, admin_client, anon_client, student, other_student):
    response = parent_client.get("/portal/homework/")
    assert response.status_code == 200
    assert b"Sam" in response.content and b"Olive" not in response.content
    assert admin_client.get("/portal/homework/").status_code == 403
    assert anon_client.get("/portal/homework/").status_code == 302


def test_uploading_for_another_customers_student_is_404(local_storage, parent_client, other_student):
    response = create(parent_client, other_student, "w.pdf", 10, "application/pdf")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "student_not_found"


def test_another_customers_session_and_homework_are_404(
    local_storage, parent_client, other_parent_client, student, other_student
):
    plan = create(parent_client, student, "w.pdf", len(PDF), "application/pdf").json()
    for url in ("", "chunk/?offset=0", "complete/", "abort/"):
        response = other_parent_client.post(
            f"/portal/homework/uploads/{plan['id']}/{url}",
            b"x",
            content_type="application/octet-stream",
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 404 if url else 405
    assert other_parent_client.get(f"/portal/homework/uploads/{plan['id']}/").status_code == 404
    # Joining a homework of a student one does not have is a 404 too.
    response = create(
        other_parent_client, other_student, "w.pdf", 10, "application/pdf", homework=plan["homework"]
    )
    assert response.status_code == 404


def test_upload_endpoints_refuse_admins_and_anonymous(local_storage, admin_client, anon_client, student):
    assert create(admin_client, student, "w.pdf", 10, "application/pdf").status_code == 403
    response = create(anon_client, student, "w.pdf", 10, "application/pdf")
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_authenticated"


def test_admin_pages_by_person(local_storage, admin_client, parent_client, anon_client, student, upload):
    upload(parent_client, student, "w.pdf", PDF, "application/pdf")
    homework = Homework.objects.get()
    for url in ("/admin/academic/homework/", f"/admin/academic/homework/{homework.pk}/"):
        assert admin_client.get(url).status_code == 200
        assert parent_client.get(url).status_code == 403
        assert anon_client.get(url).status_code == 302
    assert (
        parent_client.post(f"/admin/academic/homework/{homework.pk}/review/", {"comment": "x"}).status_code
        == 403
    )
    assert admin_client.get("/admin/academic/homework/999999/").status_code == 404


def test_admin_list_queries_are_pinned(
    local_storage, admin_client, parent_client, student, upload, django_assert_max_num_queries
):
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        upload(parent_client, student, name, PDF, "application/pdf", title=name)
    with django_assert_max_num_queries(12):
        response = admin_client.get("/admin/academic/homework/")
    assert response.content.count(b'data-entity="homework:') == 3


def test_review_is_audited_and_shown_to_the_customer(
    local_storage, admin, admin_client, parent_client, student, upload
):
    upload(parent_client, student, "w.pdf", PDF, "application/pdf")
    homework = Homework.objects.get()
    response = admin_client.post(f"/admin/academic/homework/{homework.pk}/review/", {"comment": "Well done"})
    assert response.status_code == 302
    homework.refresh_from_db()
    assert homework.status == "reviewed" and homework.reviewed_by == admin
    event = AuditEvent.objects.get(action="homework.reviewed")
    assert event.entity_id == str(homework.pk)
    assert b"Well done" in parent_client.get("/portal/homework/").content


def test_admin_sees_the_file_and_the_student_section(
    local_storage, admin_client, parent_client, student, upload
):
    upload(parent_client, student, "w.pdf", PDF, "application/pdf")
    homework = Homework.objects.get()
    detail = admin_client.get(f"/admin/academic/homework/{homework.pk}/").content.decode()
    variant = homework.media.get().variants.get()
    assert f"/admin/insights/media/files/{variant.pk}/" in detail
    served = admin_client.get(f"/admin/insights/media/files/{variant.pk}/", HTTP_RANGE="bytes=0-3")
    assert served.status_code == 206 and b"".join(served.streaming_content) == b"%PDF"
    page = admin_client.get(f"/admin/academic/students/{student.pk}/").content.decode()
    assert "student-homework" in page and homework.title in page
