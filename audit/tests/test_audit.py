import pytest
from django.db import transaction

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
    events = list(response.context["page"])
    assert [e.entity_id for e in events] == [str(student.pk)]


def test_audit_log_query_count_is_flat(admin_client, admin, student, django_assert_max_num_queries):
    for i in range(30):
        student_update(actor=admin, student=student, notes=str(i))
    with django_assert_max_num_queries(8):
        assert admin_client.get("/admin/audit/").status_code == 200


def test_a_long_log_is_not_counted_to_the_end(
    admin_client, admin, student, monkeypatch, django_assert_num_queries
):
    # An exact count of a million events cost more than the rest of the page (issue 21).
    monkeypatch.setattr("academy.paging.CAP", 20)
    AuditEvent.objects.bulk_create(
        AuditEvent(action="student.update", entity_kind="student", entity_id=str(student.pk))
        for _ in range(60)
    )
    AuditEvent.objects.create(action="lesson.create", entity_kind="lesson", entity_id="1")
    # session, user, the capped count, the kinds, the page's rows (+1), one per kind named (2)
    with django_assert_num_queries(7):
        response = admin_client.get("/admin/audit/")
    content = response.content.decode()
    assert "Page 1 · more than 20 in all" in content and 'rel="next"' in content
    assert [k for k, _ in response.context["kinds"]] == ["lesson", "student"]
    last = admin_client.get("/admin/audit/", {"page": 2})
    assert len(last.context["page"]) == 11 and 'rel="next"' not in last.content.decode()
