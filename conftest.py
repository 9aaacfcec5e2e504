"""Shared test personas: every view is tried by an admin, a parent, another parent and anonymous."""

import pytest
from django.test import Client

from academics.models import Student
from accounts.models import Role, User

PASSWORD = "correct-horse-battery-staple"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the database may use every database. On SQLite the incident inbox is a
    second one (incidents/inbox.py), and ingest, grouping, the hub's pages and the browser tests
    all reach it; pytest-django gives a test only "default" unless its marker names more."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        uses_db = {"db", "transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        if marker is None and not uses_db:
            continue
        kwargs = {**(marker.kwargs if marker else {}), "databases": "__all__"}
        item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The personas are created per test, and the production hasher (PBKDF2, ~1 s a password on
    # a slow CI machine) would dominate the suite's time. Login still checks real hashes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin(db) -> User:
    return User.objects.create_user(
        email="admin@example.test", password=PASSWORD, full_name="Ada Admin", role=Role.ADMIN
    )


@pytest.fixture
def parent(db) -> User:
    return User.objects.create_user(
        email="parent@example.test", password=PASSWORD, full_name="Paula Parent", role=Role.CUSTOMER
    )


@pytest.fixture
def other_parent(db) -> User:
    return User.objects.create_user(
        email="other@example.test", password=PASSWORD, full_name="Otto Other", role=Role.CUSTOMER
    )


@pytest.fixture
def student(parent) -> Student:
    """A student of `parent`."""
    s = Student.objects.create(first_name="Sam", last_name="Student", school_year="Year 5")
    s.customers.add(parent)
    return s


@pytest.fixture
def other_student(other_parent) -> Student:
    """A student of `other_parent`, whom `parent` must never see."""
    s = Student.objects.create(first_name="Olive", last_name="Other", school_year="Year 7")
    s.customers.add(other_parent)
    return s


def _client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def admin_client(admin) -> Client:  # overrides pytest-django's superuser-based fixture
    return _client_for(admin)


@pytest.fixture
def parent_client(parent) -> Client:
    return _client_for(parent)


@pytest.fixture
def other_parent_client(other_parent) -> Client:
    return _client_for(other_parent)


@pytest.fixture
def anon_client() -> Client:
    return Client()


@pytest.fixture(autouse=True)
def _no_remembered_report_refusals():
    # Ingest remembers, in the process, who is over its limit until its allowance is back
    # (incidents/ratelimit.py), and the headers of its refusal (incidents/wsgi.py); tests move
    # the clock and change the limits and settings between them.
    from incidents.ratelimit import forget_refusals
    from incidents.wsgi import forget_refusal_headers

    forget_refusals()
    forget_refusal_headers()
    yield
    forget_refusals()
    forget_refusal_headers()


@pytest.fixture(autouse=True)
def _plain_http_in_tests(settings):
    # The hashed-manifest storage needs collectstatic; tests serve the source files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
