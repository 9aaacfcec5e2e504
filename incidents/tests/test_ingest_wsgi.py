"""Refusals of known senders answered before Django (incidents/wsgi.py), as a WSGI server calls
the app: Django's own answer, no query, the same counters; everything else goes to Django."""

import json
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import time_machine
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connections
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from prometheus_client import REGISTRY

from incidents.models import PendingReport
from incidents.tests.helpers import report
from incidents.wsgi import refusing_known_senders

pytestmark = pytest.mark.django_db

TOKEN = "a" * 32  # a CSRF secret, sent as cookie and header as the reporter does


@pytest.fixture
def app() -> Iterator[Any]:
    """The wrapped app, and how many requests reached Django."""
    # As Django's test client does: a request's end must not close the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    django = get_wsgi_application()

    def counted(environ: dict[str, Any], start_response: Any) -> Any:
        counted.calls += 1  # type: ignore[attr-defined]
        return django(environ, start_response)

    counted.calls = 0  # type: ignore[attr-defined]
    wrapped = refusing_known_senders(counted)
    wrapped.django_calls = lambda: counted.calls  # type: ignore[attr-defined]
    yield wrapped
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def call(app: Any, environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return answer["status"], answer["headers"], body


def post(session: str, **extra: Any) -> dict[str, Any]:
    request = RequestFactory().post(
        "/api/incidents",
        data=json.dumps(report()),
        content_type="application/json",
        HTTP_COOKIE=f"sessionid={session}; csrftoken={TOKEN}",
        HTTP_X_CSRFTOKEN=TOKEN,
        **extra,
    )
    return request.environ


def counter(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@time_machine.travel("2026-11-28 12:00:05Z", tick=False)
def test_a_known_sender_is_refused_before_django_with_djangos_answer(app, admin_client, settings):
    settings.INCIDENT_RATE_LIMIT_PER_MINUTE = 1
    session = admin_client.cookies[settings.SESSION_COOKIE_NAME].value
    accepted, refused_by_django = call(app, post(session)), call(app, post(session))
    assert (accepted[0], refused_by_django[0], app.django_calls()) == (202, 429, 2)

    refused = counter("academy_incident_reports_refused_total", reason="rate_limited")
    answered = counter("academy_http_requests_total", route="api/incidents", method="POST", status="429")
    with ExitStack() as stack:
        contexts = [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections]
        status, headers, body = call(app, post(session))

    assert (status, app.django_calls()) == (429, 2)  # Django never saw it
    assert sum(len(context.captured_queries) for context in contexts) == 0
    # Django's answer: its headers (security ones included), a request id of its own.
    django_headers = refused_by_django[1]
    assert set(headers) == set(django_headers) - {"Vary"}
    for name in ("Content-Type", "Content-Security-Policy", "X-Content-Type-Options", "Retry-After"):
        assert headers[name] == django_headers[name]
    assert headers["X-Request-ID"] != django_headers["X-Request-ID"]
    assert json.loads(body) == {
        "error": {
            "code": "rate_limited",
            "message": "Too many reports; please wait a moment.",
            "request_id": headers["X-Request-ID"],
        }
    }
    assert counter("academy_incident_reports_refused_total", reason="rate_limited") == refused + 1
    assert (
        counter("academy_http_requests_total", route="api/incidents", method="POST", status="429")
        == answered + 1
    )
    assert PendingReport.objects.count() == 1


@time_machine.travel("2026-11-28 12:00:05Z", tick=False)
def test_everyone_else_goes_to_django(app, admin_client, parent_client, settings):
    settings.INCIDENT_RATE_LIMIT_PER_MINUTE = 1
    session = admin_client.cookies[settings.SESSION_COOKIE_NAME].value
    call(app, post(session))
    assert call(app, post(session))[0] == 429  # known now
    calls = app.django_calls()

    # Another person behind the same address is not over any limit: Django accepts the report.
    other = parent_client.cookies[settings.SESSION_COOKIE_NAME].value
    assert call(app, post(other))[0] == 202
    # The known sender's report as its page closes (a form, answered with a page): Django's.
    beacon = RequestFactory().post(
        "/api/incidents",
        data={"csrfmiddlewaretoken": TOKEN, "report": json.dumps(report())},
        HTTP_COOKIE=f"sessionid={session}; csrftoken={TOKEN}",
    )
    assert call(app, beacon.environ)[0] == 429
    # Any other address.
    assert call(app, RequestFactory().get("/healthz").environ)[0] == 200
    assert app.django_calls() == calls + 3
