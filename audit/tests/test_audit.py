from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from academics.models import Student
from academics.students.services import student_create, student_update
from audit.models import AuditEvent
from audit.services import record_event

pytestmark = pytest.mark.django_db


def test_a_failing_change_leaves_no_audit_row(admin):
    with pytest.raises(RuntimeError), transaction.atomic():
        student_create(actor=admin, first_name="Ghost", last_name="Kid")
        raise RuntimeError("the change fails after the event was written")
    assert not Student.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_record_event_refuses_to_run_outside_a_transaction(admin, student):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record_event(actor=admin, action="student.poke", entity=student)


def test_update_keeps_before_and_after_with_the_request_id(admin, student):
    from academy.request_id import bind_request_id

    with bind_request_id("req-audit-0001"):
        student_update(actor=admin, student=student, school_year="Year 6")
    event = AuditEvent.objects.get(action="student.update")
    assert event.before["school_year"] == "Year 5"
    assert event.after["school_year"] == "Year 6"
    assert event.request_id == "req-audit-0001"
    assert event.actor == admin and event.actor_label.startswith("admin:")


def test_audit_log_filters_by_entity(admin_client, admin, student, other_student):
    student_update(actor=admin, student=student, notes="one")
    student_update(actor=admin, student=other_student, notes="two")
    response = admin_client.get("/admin/audit/", {"kind": "student", "entity_id": student.pk})
    assert response.status_code == 200
    events = response.context["page"].events
    assert [e.entity_id for e in events] == [str(student.pk)]


def test_audit_log_query_count_is_flat(admin_client, admin, student, django_assert_max_num_queries):
    for i in range(30):
        student_update(actor=admin, student=student, notes=str(i))
    with django_assert_max_num_queries(8):
        assert admin_client.get("/admin/audit/").status_code == 200


def _walk(client, direction: str, start: dict[str, str]) -> list[int]:
    """Every event id met following the Older (or Newer) links from `start` to the end."""
    seen, query = [], start
    while True:
        page = client.get("/admin/audit/", query).context["page"]
        seen += [e.pk for e in page.events]
        cursor = getattr(page, direction)
        if cursor is None:
            return seen
        query = {direction: str(cursor)}


def test_the_log_pages_from_where_the_person_is_not_by_offset(
    admin_client, admin, student, django_assert_num_queries
):
    # Page 5,000 of a million events by OFFSET read every row before it (issue 21): each page
    # starts from an event's place. Events in the same microsecond are told apart by id.
    AuditEvent.objects.bulk_create(
        AuditEvent(action="student.update", entity_kind="student", entity_id=str(student.pk))
        for _ in range(130)
    )
    now = timezone.now()
    ids = list(AuditEvent.objects.order_by("id").values_list("pk", flat=True))
    for n, pk in enumerate(ids):  # three events a minute: ties on created_at
        AuditEvent.objects.filter(pk=pk).update(created_at=now - timedelta(minutes=len(ids) - n // 3))
    in_order = list(AuditEvent.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    assert _walk(admin_client, "older", {}) == in_order
    last = admin_client.get("/admin/audit/", {"older": str(in_order[-51])}).context["page"]
    assert last.older is None and len(last.events) == 50
    # back up from the oldest page: 50 at a time, each page newest first
    assert _walk(admin_client, "newer", {"older": str(in_order[-51])}) == (
        in_order[80:] + in_order[30:80] + in_order[:30]
    )

    # session, user, the place, the page's rows (+1), the kinds, the students named
    with django_assert_num_queries(6):
        response = admin_client.get("/admin/audit/", {"older": str(in_order[60])})
    content = response.content.decode()
    assert 'rel="prev"' in content and 'rel="next"' in content and ">Latest</a>" in content
    assert "50 events, newest first: " in content
    top = admin_client.get("/admin/audit/").content.decode()
    assert "The latest 50 events, newest first" in top and 'rel="prev"' not in top


def test_jump_to_a_day(admin_client, admin, student):
    old = AuditEvent.objects.create(action="student.update", entity_kind="student", entity_id=str(student.pk))
    new = AuditEvent.objects.create(action="student.update", entity_kind="student", entity_id=str(student.pk))
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    day = timezone.localdate() - timedelta(days=5)
    response = admin_client.get("/admin/audit/", {"day": day.isoformat()})
    page = response.context["page"]
    assert [e.pk for e in page.events] == [old.pk] and page.newer == old.pk
    assert "(up to the end of " in response.content.decode()
    assert [
        e.pk for e in admin_client.get("/admin/audit/", {"newer": str(old.pk)}).context["page"].events
    ] == [new.pk]
    empty = admin_client.get("/admin/audit/", {"day": (day - timedelta(days=30)).isoformat()})
    assert "No events up to the end of" in empty.content.decode()
