import json
import logging

import pytest

from academy.request_id import RequestIdLogFilter, bind_request_id, get_request_id

pytestmark = pytest.mark.django_db


def test_every_response_gets_a_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_valid_incoming_id_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="edge-1234abcd")
    assert response["X-Request-ID"] == "edge-1234abcd"


@pytest.mark.parametrize("bad", ["short", "has spaces in it", "x" * 200, "bad\nnewline-injected"])
def test_an_invalid_incoming_id_is_replaced(client, bad):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=bad)
    assert response["X-Request-ID"] != bad
    assert len(response["X-Request-ID"]) == 32


def test_log_lines_carry_the_request_id(client, caplog):
    caplog.set_level(logging.WARNING)
    response = client.get("/missing-page/")
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records, "django.request logs the 404"
    RequestIdLogFilter().filter(records[0])
    assert records[0].request_id == response["X-Request-ID"]


def test_json_log_format_includes_the_request_id():
    from pythonjsonlogger.json import JsonFormatter

    from academy.settings import LOGGING

    spec = dict(LOGGING["formatters"]["json"])
    spec.pop("()")
    formatter = JsonFormatter(**spec)
    record = logging.LogRecord("academy", logging.INFO, __file__, 1, "lesson deleted", None, None)
    with bind_request_id("job-req-12345678"):
        RequestIdLogFilter().filter(record)
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "job-req-12345678"
    assert line["message"] == "lesson deleted"
    assert line["level"] == "INFO"


def test_request_id_is_available_to_code_outside_requests():
    assert get_request_id() == "-"
    with bind_request_id("job-abcdef12"):
        assert get_request_id() == "job-abcdef12"
    assert get_request_id() == "-"
