"""The plain-SQL session read and user lookup behave as Django's database backend and ModelBackend."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.backends import ModelBackend
from accounts.models import User
from accounts.sessions import SessionStore
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_saved_session_reads_back():
    store = SessionStore()
    store["colour"] = "teal"
    store.save()
    again = SessionStore(store.session_key)
    assert again["colour"] == "teal"
    assert again.session_key == store.session_key


@pytest.mark.parametrize("key", ["x" * 32, "", None])
def test_an_unknown_session_is_empty_and_gets_a_new_key_on_save(key):
    store = SessionStore(key)
    assert dict(store.items()) == {}
    assert store.session_key is None
    store["a"] = 1
    store.save()
    assert store.session_key not in (None, key)


def test_an_expired_session_is_empty():
    store = SessionStore()
    store["a"] = 1
    store.set_expiry(60)
    store.save()
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert dict(SessionStore(store.session_key).items()) == {}


def test_a_tampered_session_is_empty():
    store = SessionStore()
    store["a"] = 1
    store.save()
    Session.objects.filter(session_key=store.session_key).update(session_data="not-signed:data")
    assert dict(SessionStore(store.session_key).items()) == {}


def test_the_user_lookup_returns_active_users_only(admin, parent):
    backend = ModelBackend()
    assert backend.get_user(admin.pk) == admin
    assert backend.get_user(str(parent.pk)).email == parent.email  # sessions hold the id as text
    assert backend.get_user(10**9) is None
    parent.is_active = False
    parent.save()
    assert backend.get_user(parent.pk) is None


def test_the_user_lookup_gives_every_field_as_the_orm_does(admin):
    admin.last_login = timezone.now()
    admin.save()
    looked_up, loaded = ModelBackend().get_user(admin.pk), User.objects.get(pk=admin.pk)
    for field in User._meta.concrete_fields:
        assert getattr(looked_up, field.attname) == getattr(loaded, field.attname), field.name
    assert timezone.is_aware(looked_up.last_login)  # SQLite stores it naive; the ORM's converter
    assert looked_up._state.db == loaded._state.db and not looked_up._state.adding
    looked_up.full_name = "Saved"
    looked_up.save(update_fields=["full_name"])  # an instance the ORM can save
    assert User.objects.get(pk=admin.pk).full_name == "Saved"


def test_a_logged_in_request_carries_its_user_with_all_fields(admin):
    client = Client()
    assert client.login(username=admin.email, password=PASSWORD)
    request = RequestFactory().get("/")
    request.session = SessionStore(client.cookies["sessionid"].value)
    user = get_user(request)
    assert (user.pk, user.email, user.role, user.is_active, user.date_joined) == (
        admin.pk,
        admin.email,
        admin.role,
        True,
        admin.date_joined,
    )


def test_logging_out_ends_the_session_for_every_later_request(admin):
    client = Client()
    assert client.login(username=admin.email, password=PASSWORD)
    key = client.cookies["sessionid"].value
    client.post("/logout/")
    request = RequestFactory().get("/")
    request.session = SessionStore(key)
    assert not get_user(request).is_authenticated
