"""The parent picker (ui/picker.py, accounts/forms.py) on the student's new and edit forms:
checkboxes for a few customers, a search box with chips past that, suggestions of active customer
accounts only (admin only); the chosen parents survive an inline error, and a parent that cannot
be chosen is an error beside the field, never a 500."""

import re

import pytest
from django.urls import reverse

from academics.models import Student
from accounts.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(monkeypatch):
    """Past the checkbox limit (1 here, 50 in the app): the search box."""
    monkeypatch.setattr("ui.picker.FEW", 1)


def chips(html: str) -> list[str]:
    """The chosen parents' ids, as the hidden inputs the form will send."""
    return re.findall(r'<input type="hidden" name="customers" value="(\d+)">', html)


def test_a_few_customers_are_checkboxes(admin_client, parent, other_parent):
    html = admin_client.get(reverse("academics:student_create")).content.decode()
    assert 'id="id_customers_0"' in html and "Paula Parent" in html and "id_customers_search" not in html


@pytest.mark.parametrize("page", ["new", "edit"])
def test_more_customers_are_a_search_box_with_the_students_parents_as_chips(
    page, admin_client, parent, other_parent, student, many
):
    url = (
        reverse("academics:student_create")
        if page == "new"
        else reverse("academics:student_edit", args=[student.pk])
    )
    html = admin_client.get(url).content.decode()
    assert 'id="id_customers_0"' not in html  # no checkbox a customer
    assert '<label for="id_customers_search">Parents' in html  # the label names the search box
    assert 'aria-label="Chosen parents"' in html and 'placeholder="Type a name or an email"' in html
    assert f'hx-get="{reverse("accounts:customer_suggestions")}"' in html
    assert chips(html) == ([] if page == "new" else [str(parent.pk)])
    assert ("No parents chosen yet." in html) and (other_parent.full_name not in html)


def test_the_search_suggests_active_customers_by_name_or_email(admin, admin_client, parent, other_parent):
    gone = User.objects.create_user(email="gone@example.test", full_name="Paul Gone", role=Role.CUSTOMER)
    gone.is_active = False
    gone.save()
    nameless = User.objects.create_user(email="pa.nameless@example.test", role=Role.CUSTOMER)
    url = reverse("accounts:customer_suggestions")
    html = admin_client.get(url, {"q": "pa"}).content.decode()
    assert f'data-pick="{parent.pk}"' in html and 'data-name="Paula Parent"' in html
    assert (
        '<span class="sr-only">Add </span>Paula Parent <span class="muted">· parent@example.test</span>'
        in html
    )
    assert f'data-pick="{nameless.pk}" data-name="pa.nameless@example.test"' in html  # named by email
    assert "Paul Gone" not in html and admin.email not in html  # not active, not a customer
    by_email = admin_client.get(url, {"q": "other@"}).content.decode()  # other_parent's email
    assert f'data-pick="{other_parent.pk}"' in by_email and f'data-pick="{parent.pk}"' not in by_email
    nothing = admin_client.get(url, {"q": "zzz"}).content.decode()
    assert "No active customer matches “zzz”." in nothing
    assert admin_client.get(url).content.decode().strip() == ""  # nothing typed, nothing suggested


def test_the_suggestions_are_for_admins_only(parent_client, anon_client):
    url = reverse("accounts:customer_suggestions")
    assert parent_client.get(url, {"q": "pa"}).status_code == 403
    assert anon_client.get(url, {"q": "pa"}).status_code == 302  # to the login page


def test_chosen_parents_survive_an_inline_error(admin_client, parent, other_parent, many):
    data = {"first_name": "", "last_name": "Newpupil", "customers": [other_parent.pk, parent.pk]}
    response = admin_client.post(reverse("academics:student_create"), data)
    html = response.content.decode()
    assert response.status_code == 400 and 'value="Newpupil"' in html
    assert chips(html) == [str(other_parent.pk), str(parent.pk)]  # in the order chosen
    assert f'aria-label="Remove {parent.full_name}"' in html and "data-picker-none hidden" in html
    assert not Student.objects.filter(last_name="Newpupil").exists()


@pytest.mark.parametrize("sent", ["999999", "abc", "admin"])
def test_an_unknown_parent_is_an_inline_error(sent, admin, admin_client, parent, other_parent, many):
    sent = str(admin.pk) if sent == "admin" else sent  # an account, but not a customer's
    data = {"first_name": "New", "last_name": "Pupil", "customers": [parent.pk, sent]}
    response = admin_client.post(reverse("academics:student_create"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="field-error" role="alert">A chosen parent' in html
    assert chips(html) == [str(parent.pk)]  # the known one is kept, the unknown one left out
    assert not Student.objects.filter(last_name="Pupil").exists()


def test_the_student_is_saved_with_the_chosen_parents(admin_client, parent, other_parent, student, many):
    data = {"first_name": "Sam", "last_name": "Student", "customers": [other_parent.pk]}
    response = admin_client.post(reverse("academics:student_edit", args=[student.pk]), data)
    assert response.status_code == 302
    assert list(student.customers.all()) == [other_parent]


def test_the_form_does_not_grow_with_the_customers(admin_client, django_assert_num_queries, many):
    make = lambda prefix, n: User.objects.bulk_create(  # noqa: E731
        User(email=f"{prefix}{i}@example.test", full_name=f"{prefix} {i}", role=Role.CUSTOMER)
        for i in range(n)
    )
    make("few", 5)
    url = reverse("academics:student_create")
    small = admin_client.get(url).content
    make("more", 300)
    # session, user, and the capped count that picks checkboxes or the search box
    with django_assert_num_queries(3):
        large = admin_client.get(url).content
    assert abs(len(large) - len(small)) < 200  # only the CSRF token and nonce differ
