"""One way in: every login goes through the throttled form, so a lock at /login/ holds everywhere.

Django's own admin used to be mounted at /django-admin/ with its own login form: after /login/
locked an account, the right password still worked there, and that session opened the product's
admin too. Nothing in the product used that admin (its pages cover lessons, tasks, jobs,
customers), so it is gone.
"""

import pytest
from django.conf import settings
from django.contrib.auth.views import LoginView
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.forms import ThrottledLoginForm
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _views(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_the_django_admin_is_not_mounted(admin):
    client = Client()
    assert client.get("/django-admin/login/").status_code == 404
    response = client.post("/django-admin/login/", {"username": admin.email, "password": PASSWORD})
    assert response.status_code == 404
    assert "_auth_user_id" not in client.session
    assert "django.contrib.admin" not in settings.INSTALLED_APPS


def test_every_login_view_uses_the_throttled_form():
    login_views = []
    for route, callback in _views():
        view_class = getattr(callback, "view_class", None)
        module = getattr(callback, "__module__", "")
        assert not module.startswith("django.contrib.admin"), route
        if view_class is not None and issubclass(view_class, LoginView):
            login_views.append(route)
            assert issubclass(view_class.form_class, ThrottledLoginForm), route
    assert login_views == ["login/"]


def test_a_locked_account_stays_locked_on_every_path(admin, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    admin.is_staff = admin.is_superuser = True  # as the demo admin and createsuperuser make them
    admin.save()
    client = Client()
    for _ in range(2):
        client.post("/login/", {"username": admin.email, "password": "wrong"})
    for path in ("/login/", "/django-admin/login/"):
        client.post(path, {"username": admin.email, "password": PASSWORD})
        assert "_auth_user_id" not in client.session, path
    assert client.get("/admin/academic/students/").status_code == 302


def _behind_proxy(address, *, peer="10.0.0.2"):
    return {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": address}


def test_behind_a_trusted_proxy_each_client_address_is_throttled_on_its_own(parent, settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_NETWORKS = 1, ()
    settings.LOGIN_THROTTLE_ATTEMPTS = 1  # the per-address limit is 4 failures
    client = Client()
    for n in range(4):
        client.post(
            "/login/",
            {"username": f"guess{n}@example.test", "password": "x"},
            **_behind_proxy("198.51.100.7"),
        )
    locked = client.post(
        "/login/", {"username": parent.email, "password": PASSWORD}, **_behind_proxy("198.51.100.7")
    )
    assert locked.status_code == 429
    # Another person behind the same proxy is not locked out by the first one's failures.
    other = Client()
    response = other.post(
        "/login/", {"username": parent.email, "password": PASSWORD}, **_behind_proxy("198.51.100.8")
    )
    assert response.status_code == 302


def test_an_untrusted_peer_cannot_escape_the_address_lock_with_a_forged_header(parent, settings):
    import ipaddress

    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXY_NETWORKS = (ipaddress.ip_network("10.0.0.0/8"),)
    settings.LOGIN_THROTTLE_ATTEMPTS = 1
    client = Client()
    for n in range(4):
        forged = _behind_proxy(f"198.51.100.{n}", peer="203.0.113.9")
        client.post("/login/", {"username": f"guess{n}@example.test", "password": "x"}, **forged)
    forged = _behind_proxy("198.51.100.99", peer="203.0.113.9")
    response = client.post("/login/", {"username": parent.email, "password": PASSWORD}, **forged)
    assert response.status_code == 429
