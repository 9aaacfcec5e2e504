import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from audit.models import AuditEvent
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_sends_each_role_to_its_area(admin, parent):
    client = Client()
    response = client.post("/login/", {"username": admin.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"  # the start page
    client.post("/logout/")
    response = client.post("/login/", {"username": "PARENT@example.test", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/portal/"


def test_bad_login_is_a_clear_400(parent):
    response = Client().post("/login/", {"username": parent.email, "password": "wrong"})
    assert response.status_code == 400
    assert b"That email and password do not match an active account." in response.content


def test_failed_logins_are_throttled(parent, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    client = Client()
    for _ in range(3):
        assert client.post("/login/", {"username": parent.email, "password": "wrong"}).status_code == 400
    # Even the right password is refused while the email is locked.
    response = client.post("/login/", {"username": parent.email, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_a_login_lock_lasts_until_its_window_ends(parent, settings):
    # Windows are fixed spans of the clock (academy/ratelimit.py): 12:00-12:15 here.
    settings.LOGIN_THROTTLE_ATTEMPTS, settings.LOGIN_THROTTLE_WINDOW_SECONDS = 2, 900
    attempt = {"username": parent.email, "password": "wrong"}
    with time_machine.travel("2026-11-28 12:00:05Z", tick=False):
        assert [Client().post("/login/", attempt).status_code for _ in range(3)] == [400, 400, 429]
    with time_machine.travel("2026-11-28 12:14:59Z", tick=False):
        assert Client().post("/login/", {**attempt, "password": PASSWORD}).status_code == 429
    with time_machine.travel("2026-11-28 12:15:00Z", tick=False):
        assert Client().post("/login/", {**attempt, "password": PASSWORD}).status_code == 302


def test_demo_logins_only_show_in_debug(client, settings):
    settings.DEBUG = False
    assert b"demo-pass-2026" not in client.get("/login/").content
    settings.DEBUG = True
    assert b"demo-pass-2026" in client.get("/login/").content


def test_logout_needs_post(parent_client):
    assert parent_client.get("/logout/").status_code == 405
    assert parent_client.post("/logout/").status_code == 302
    assert parent_client.get("/portal/").status_code == 302


def test_admin_invites_a_customer_who_sets_a_password(
    admin_client, student, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("accounts:customer_create"),
            {"email": "New.Parent@Example.test", "full_name": "New Parent", "students": [student.pk]},
        )
    assert response.status_code == 302
    customer = User.objects.get(email="new.parent@example.test")
    assert customer.role == Role.CUSTOMER and not customer.has_usable_password()
    assert list(customer.students.all()) == [student]
    assert AuditEvent.objects.filter(action="customer.create", entity_id=str(customer.pk)).exists()

    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/invite/\S+/)", mail.outbox[0].body).group(1)
    client = Client()
    form_page = client.get(link, follow=True)
    assert b"Choose your password" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "a-Long-new-pass-9", "new_password2": "a-Long-new-pass-9"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password("a-Long-new-pass-9")
    # The link works once.
    assert b"This link no longer works" in Client().get(link, follow=True).content


def test_inviting_an_existing_email_is_a_409_and_changes_nothing(admin_client, parent):
    response = admin_client.post(
        reverse("accounts:customer_create"), {"email": parent.email, "full_name": "Dup"}
    )
    assert response.status_code == 409
    assert b"already exists" in response.content
    assert User.objects.filter(email=parent.email).count() == 1
    assert not AuditEvent.objects.filter(action="customer.create").exists()
    assert mail.outbox == []


def test_password_reset_by_email(parent):
    client = Client()
    client.post("/password-reset/", {"email": parent.email})
    assert len(mail.outbox) == 1
    assert "/password-reset/" in mail.outbox[0].body


def test_password_change(parent_client, parent):
    response = parent_client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Another-long-pw-77",
            "new_password2": "Another-long-pw-77",
        },
    )
    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.check_password("Another-long-pw-77")


@pytest.mark.parametrize("url", ["/admin/customers/", "/admin/customers/new/", "/admin/audit/"])
def test_admin_pages_are_for_admins(url, admin_client, parent_client, anon_client):
    assert admin_client.get(url).status_code == 200
    assert parent_client.get(url).status_code == 403
    assert anon_client.get(url).status_code == 302


def test_resend_invitation(admin_client, admin, django_capture_on_commit_callbacks):
    customer = User.objects.create_user(email="invitee@example.test", role=Role.CUSTOMER)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("accounts:customer_invite", args=[customer.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert admin_client.post(reverse("accounts:customer_invite", args=[admin.pk])).status_code == 404
