"""Deleting lessons as the admin intends, and restoring them from the audit event."""

from unittest import mock

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from academics.lessons import deletion
from academics.lessons.models import Attendance, Lesson
from academy.errors import Conflict
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_attendance_protects_the_lesson_from_a_cascade(lesson_with_attendance):
    with pytest.raises(ProtectedError):
        lesson_with_attendance.delete()


def test_delete_removes_attendance_then_lesson_with_one_snapshot_event(admin, lesson_with_attendance):
    pk = lesson_with_attendance.pk
    result = deletion.lesson_delete(actor=admin, lesson=lesson_with_attendance)
    assert (result.lessons, result.attendance) == (1, 2)
    assert not Lesson.objects.filter(pk=pk).exists()
    assert not Attendance.objects.exists()
    event = AuditEvent.objects.get(action="lesson.delete")
    assert event.entity_id == str(pk)
    [snap] = (event.snapshot or {})["lessons"]
    assert snap["subject"] == "Maths"
    assert sorted(a["status"] for a in snap["attendance"]) == ["late", "present"]


def test_failure_between_the_deletes_leaves_everything(admin, lesson_with_attendance):
    injected = mock.patch("academics.lessons.deletion._between_deletes", side_effect=RuntimeError("injected"))
    with injected, pytest.raises(RuntimeError):
        deletion.lesson_delete(actor=admin, lesson=lesson_with_attendance)
    assert Lesson.objects.filter(pk=lesson_with_attendance.pk).exists()
    assert Attendance.objects.count() == 2
    assert not AuditEvent.objects.filter(action="lesson.delete").exists()


def test_restore_brings_back_lesson_and_attendance_with_original_values(
    admin, lesson_with_attendance, student
):
    pk = lesson_with_attendance.pk
    before = {(a.pk, a.student_id, a.status, a.note, a.marked_at) for a in Attendance.objects.all()}
    result = deletion.lesson_delete(actor=admin, lesson=lesson_with_attendance)
    [restored] = deletion.lesson_restore(actor=admin, event_id=result.event.pk)
    assert restored.pk == pk
    assert {(a.pk, a.student_id, a.status, a.note, a.marked_at) for a in Attendance.objects.all()} == before
    assert student in restored.students.all()
    with pytest.raises(Conflict) as exc:
        deletion.lesson_restore(actor=admin, event_id=result.event.pk)
    assert exc.value.code == "already_restored"


def test_restore_is_refused_when_a_conflicting_lesson_exists(
    admin, make_lesson, lesson_with_attendance, student
):
    result = deletion.lesson_delete(actor=admin, lesson=lesson_with_attendance)
    make_lesson([student], start=lesson_with_attendance.starts_at)
    with pytest.raises(Conflict) as exc:
        deletion.lesson_restore(actor=admin, event_id=result.event.pk)
    assert exc.value.code == "restore_conflict"
    assert Attendance.objects.count() == 0


def test_detail_confirmation_says_how_many_attendance_records_go(admin_client, lesson_with_attendance):
    response = admin_client.get(
        reverse("academics:lesson_detail", kwargs={"lesson_id": lesson_with_attendance.pk})
    )
    assert response.status_code == 200
    assert b"This lesson has 2 attendance records; they will be deleted too." in response.content
    assert f'data-entity="lesson:{lesson_with_attendance.pk}"'.encode() in response.content


def test_admin_deletes_and_restores_through_the_views(admin_client, lesson_with_attendance):
    pk = lesson_with_attendance.pk
    response = admin_client.post(
        reverse("academics:lesson_delete", kwargs={"lesson_id": pk}), {"scope": "this"}
    )
    assert response.status_code == 302
    assert not Lesson.objects.filter(pk=pk).exists()
    listing = admin_client.get(reverse("academics:lesson_list"))
    assert b"1 lesson and 2 attendance records, deleted by Ada Admin" in listing.content
    event = AuditEvent.objects.get(action="lesson.delete")
    response = admin_client.post(reverse("academics:lesson_restore", kwargs={"event_id": event.pk}))
    assert response.status_code == 302
    assert Attendance.objects.filter(lesson_id=pk).count() == 2


@pytest.mark.parametrize("client_name", ["parent_client", "other_parent_client"])
def test_customers_cannot_delete_or_restore(request, client_name, admin, lesson_with_attendance):
    client = request.getfixturevalue(client_name)
    url = reverse("academics:lesson_delete", kwargs={"lesson_id": lesson_with_attendance.pk})
    response = client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    event = deletion.lesson_delete(actor=admin, lesson=lesson_with_attendance).event
    response = client.post(reverse("academics:lesson_restore", kwargs={"event_id": event.pk}))
    assert response.status_code == 403
    assert not Lesson.objects.exists()


def test_anonymous_cannot_delete(anon_client, lesson_with_attendance):
    url = reverse("academics:lesson_delete", kwargs={"lesson_id": lesson_with_attendance.pk})
    assert anon_client.post(url).status_code == 302
    assert Lesson.objects.filter(pk=lesson_with_attendance.pk).exists()


def test_deleting_a_missing_lesson_is_a_typed_404(admin_client):
    url = reverse("academics:lesson_delete", kwargs={"lesson_id": 424242})
    response = admin_client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "lesson_not_found"
