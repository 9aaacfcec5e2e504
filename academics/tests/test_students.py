import pytest
from django.urls import reverse

from academics.models import Student
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_admin_lists_students_with_search(admin_client, student, other_student):
    response = admin_client.get(reverse("academics:student_list"), {"q": "Olive"})
    assert response.status_code == 200
    assert b"Olive Other" in response.content
    assert b"Sam Student" not in response.content


def test_customer_gets_403_on_admin_student_list(parent_client):
    response = parent_client.get(reverse("academics:student_list"))
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(anon_client):
    response = anon_client.get(reverse("academics:student_list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_admin_creates_student_with_audit(admin_client, parent):
    response = admin_client.post(
        reverse("academics:student_create"),
        {"first_name": "New", "last_name": "Kid", "school_year": "Year 1", "customers": [parent.pk]},
    )
    assert response.status_code == 302
    student = Student.objects.get(first_name="New")
    assert list(student.customers.all()) == [parent]
    event = AuditEvent.objects.get(action="student.create")
    assert event.entity_id == str(student.pk)
    assert event.after is not None
    assert event.after["customers"] == [parent.pk]


def test_create_with_missing_name_is_a_400_and_saves_nothing(admin_client):
    response = admin_client.post(reverse("academics:student_create"), {"first_name": "", "last_name": ""})
    assert response.status_code == 400
    assert b"This field is required" in response.content
    assert not Student.objects.exists()
    assert not AuditEvent.objects.exists()


def test_archive_keeps_the_student(admin_client, student):
    response = admin_client.post(reverse("academics:student_archive", args=[student.pk]))
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.is_archived
    assert AuditEvent.objects.filter(action="student.archive", entity_id=str(student.pk)).exists()


def test_unknown_student_is_404_with_typed_error(admin_client):
    response = admin_client.get(
        reverse("academics:student_detail", args=[999999]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "student_not_found"


def test_student_page_renders_the_sections_higher_apps_register(admin_client, student, monkeypatch):
    from academics.students import sections

    monkeypatch.setattr(sections, "_sections", {})
    sections.register_student_section(
        "notes",
        sections.StudentSection(
            template="academics/_student_lessons.html",
            context=lambda s: {"upcoming_lessons": [], "today_tasks": [], "seen_for": s.pk},
        ),
    )
    templates, context = sections.student_sections(student)
    assert templates == ["academics/_student_lessons.html"] and context["seen_for"] == student.pk
    response = admin_client.get(f"/admin/academic/students/{student.pk}/")
    assert response.status_code == 200
    assert b"student-homework" not in response.content  # homework's section is not hard-wired
