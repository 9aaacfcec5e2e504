"""The student picker (ui/picker.py, academics/students/picker.py) on the lesson, series, task and customer forms:
checkboxes for a few students, a search box with chips past that; what was chosen survives an
inline error, and a student that cannot be chosen is an error beside the field, never a 500."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from academics.lessons.models import Lesson
from academics.models import Student
from accounts.models import User

pytestmark = pytest.mark.django_db

FORMS = [
    "academics:lesson_create",
    "academics:series_create",
    "academics:task_create",
    "accounts:customer_create",
]


@pytest.fixture
def many(monkeypatch):
    """Past the checkbox limit (1 here, 50 in the app): the search box."""
    monkeypatch.setattr("ui.picker.FEW", 1)


def chips(html: str) -> list[str]:
    """The chosen students' ids, as the hidden inputs the form will send."""
    return re.findall(r'<input type="hidden" name="students" value="(\d+)">', html)


@pytest.mark.parametrize("name", FORMS)
def test_a_few_students_are_checkboxes_more_are_a_search_box(
    name, admin_client, student, other_student, many
):
    Student.objects.create(first_name="Third", last_name="Pupil")
    html = admin_client.get(reverse(name)).content.decode()
    assert 'id="id_students_0"' not in html  # no checkbox a student
    assert "Sam Student" not in html and "Olive Other" not in html
    assert '<label for="id_students_search">Students' in html  # the label names the search box
    assert 'role="status"' in html and 'aria-label="Chosen students"' in html


def test_few_students_stay_checkboxes(admin_client, student, other_student):
    html = admin_client.get(reverse("academics:lesson_create")).content.decode()
    assert 'id="id_students_0"' in html and "Olive Other" in html and "id_students_search" not in html


def test_the_search_suggests_active_students_only_as_buttons(admin, admin_client, student, other_student):
    from academics.students.services import student_archive

    student_archive(actor=admin, student=other_student)
    url = reverse("academics:lesson_student_suggestions")
    html = admin_client.get(url, {"student_name": "e", "pick": "1"}).content.decode()
    assert f'data-pick="{student.pk}"' in html and 'data-name="Sam Student"' in html
    assert "Olive" not in html  # archived
    assert '<span class="sr-only">Add </span>Sam Student' in html  # the button says what it does
    nothing = admin_client.get(url, {"student_name": "zzz", "pick": "1"}).content.decode()
    assert "No active student matches “zzz”." in nothing
    # the Lessons filter's datalist is unchanged
    assert (
        admin_client.get(url, {"student_name": "sam"})
        .content.decode()
        .startswith('<option value="Sam Student">')
    )


def test_chosen_students_survive_an_inline_error(admin_client, student, other_student, many):
    data = {"subject": "Chemistry", "tutor": "T", "starts_at": "2026-12-01T15:30", "ends_at": "2026-12-01T15:00",
            "students": [other_student.pk, student.pk]}  # fmt: skip
    response = admin_client.post(reverse("academics:lesson_create"), data)
    html = response.content.decode()
    assert response.status_code == 400 and "A lesson must end after it starts." in html
    assert chips(html) == [str(other_student.pk), str(student.pk)]  # in the order chosen
    assert 'aria-label="Remove Olive Other"' in html and ">Sam Student</span>" in html
    assert "data-picker-none hidden" in html
    assert not Lesson.objects.exists()


def test_customer_invite_keeps_its_students_when_the_email_is_taken(admin_client, parent, student, many):
    Student.objects.create(first_name="Third", last_name="Pupil")
    data = {"email": parent.email, "full_name": "Second Paula", "students": [student.pk]}
    response = admin_client.post(reverse("accounts:customer_create"), data)
    assert response.status_code == 409
    assert chips(response.content.decode()) == [str(student.pk)]
    assert User.objects.filter(email=parent.email).count() == 1


@pytest.mark.parametrize("sent", ["999999", "abc"])
def test_an_unknown_student_is_an_inline_error(sent, admin_client, student, other_student, many):
    data = {"subject": "Chemistry", "tutor": "T", "starts_at": "2026-12-01T15:00", "ends_at": "2026-12-01T16:00",
            "students": [student.pk, sent]}  # fmt: skip
    response = admin_client.post(reverse("academics:lesson_create"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="field-error" role="alert">A chosen student' in html
    assert chips(html) == [str(student.pk)]  # the known one is kept, the unknown one left out
    assert 'value="Chemistry"' in html
    assert not Lesson.objects.exists()


def test_an_archived_student_cannot_be_chosen(admin, admin_client, student, other_student, many):
    from academics.students.services import student_archive

    student_archive(actor=admin, student=other_student)
    data = {"title": "Read", "recurrence": "none", "start_date": "2026-12-01", "students": [other_student.pk]}
    response = admin_client.post(reverse("academics:task_create"), data)
    assert response.status_code == 400
    assert "A chosen student is no longer active" in response.content.decode()


def test_editing_a_lesson_shows_its_students_as_chips(
    admin_client, make_lesson, student, other_student, many
):
    Student.objects.create(first_name="Third", last_name="Pupil")
    lesson = make_lesson([student, other_student], start=timezone.now())
    html = admin_client.get(reverse("academics:lesson_edit", args=[lesson.pk])).content.decode()
    assert sorted(chips(html)) == sorted([str(student.pk), str(other_student.pk)])
    assert "Third Pupil" not in html


def test_the_form_does_not_grow_with_the_students(admin_client, django_assert_num_queries, many):
    Student.objects.bulk_create(Student(first_name=f"Extra{i}", last_name="Pupil") for i in range(5))
    url = reverse("academics:lesson_create")
    small = admin_client.get(url).content
    Student.objects.bulk_create(Student(first_name=f"More{i}", last_name="Pupil") for i in range(300))
    # session, user, and the capped count that picks checkboxes or the search box
    with django_assert_num_queries(3):
        large = admin_client.get(url).content
    assert abs(len(large) - len(small)) < 200  # only the CSRF token and nonce differ
