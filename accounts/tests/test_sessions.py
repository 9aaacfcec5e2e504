"""Sessions (Django's database backend) and the user lookup (Django's ModelBackend): logging out
and changing a password end the sessions they should, and only those."""

import pytest
from django.contrib.auth import get_user
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory

from conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-long-pw-77"


def _logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def test_logging_out_ends_the_session_for_every_later_request(admin):
    client = _logged_in(admin)
    key = client.cookies["sessionid"].value
    client.post("/logout/")
    request = RequestFactory().get("/")
    request.session = SessionStore(key)
    assert not get_user(request).is_authenticated


def test_a_password_change_ends_the_users_other_sessions_and_keeps_its_own(admin):
    laptop, phone = _logged_in(admin), _logged_in(admin)
    assert laptop.cookies["sessionid"].value != phone.cookies["sessionid"].value
    assert laptop.get("/admin/").status_code == phone.get("/admin/").status_code == 200

    changed = laptop.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302 and changed["Location"] == "/account/password/done/"

    # The other session's next request is sent to log in; the changing one carries on.
    sent_away = phone.get("/admin/")
    assert sent_away.status_code == 302 and sent_away["Location"] == "/login/?next=/admin/"
    assert laptop.get("/admin/").status_code == 200
    # Logging in again on the other device takes the new password.
    assert not phone.login(username=admin.email, password=PASSWORD)
    assert phone.login(username=admin.email, password=NEW_PASSWORD)
    assert phone.get("/admin/").status_code == 200
