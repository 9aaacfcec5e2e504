"""The ingest endpoint's refusals of known senders, answered before Django (academy/wsgi.py).

In a storm from a broken page nearly every report comes from a sender this web process has just
refused (ratelimit.refused_early). Through Django, each of those refusals cost about as much as
/healthz: the request object, thirteen middlewares and the URL resolver, for an answer known
from the cookie and the address alone. Two gunicorn workers refused 3,200 a second that way and
10,000 a second here (wrk on this machine), and a storm of 500 reports a second took half a CPU
core from the pages people were loading (bench/incidents.py, the storm).

The answer is Django's own: this layer repeats the headers of the refusal Django last gave this
endpoint (a sender is always refused once by the view before it is known here), with a request
id and Retry-After of its own, the error contract's JSON, and the same counters. A sender not
known to be over its limit, a report posted as a page closes (sendBeacon, answered with a page),
and every other request go to Django untouched.
"""

import json
import time
from collections.abc import Callable, Iterable
from functools import cache
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.http.cookie import parse_cookie
from django.urls import resolve

from academy.client import client_ip
from academy.errors import error_payload, json_wanted
from academy.metrics import HTTP_DURATION, HTTP_REQUESTS
from academy.request_id import HEADER, bind_request_id, request_id_for
from incidents.backend_capture import INGEST_PATH
from incidents.metrics import REPORTS_REFUSED
from incidents.ratelimit import OverLimit, refused_early

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

# Headers that belong to one answer, not to every refusal.
_PER_ANSWER = frozenset({HEADER.lower(), "retry-after", "content-length", "vary", "set-cookie"})
_refusal_headers: list[tuple[str, str]] = []  # learnt from Django's refusal, in this process


def refusing_known_senders(app: WSGIApp) -> WSGIApp:
    """`app`, with the reports of senders known to be over their limit refused up front."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != INGEST_PATH or environ.get("REQUEST_METHOD") != "POST":
            return app(environ, start_response)
        if not _wants_json(environ):
            return app(environ, start_response)  # a page closing (sendBeacon): Django answers
        started = time.perf_counter()
        if _refusal_headers:
            session_key = parse_cookie(environ.get("HTTP_COOKIE", "")).get(settings.SESSION_COOKIE_NAME)
            refusal = refused_early(session_key=session_key, ip=client_ip(SimpleNamespace(META=environ)))
            if refusal is not None:
                return _refuse(refusal, environ, start_response, started)
        return app(environ, _learning(start_response))

    return application


def _wants_json(environ: dict[str, Any]) -> bool:
    return json_wanted(
        content_type=environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower(),
        accept=environ.get("HTTP_ACCEPT", ""),
        htmx=environ.get("HTTP_HX_REQUEST") == "true",
    )


def _learning(start_response: StartResponse) -> StartResponse:
    """start_response, noting the headers of Django's first refusal of a report (as JSON)."""

    def learn(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if status.startswith("429") and not _refusal_headers:
            _refusal_headers.extend((k, v) for k, v in headers if k.lower() not in _PER_ANSWER)
        return start_response(status, headers, exc_info)

    return learn


def _refuse(
    refusal: OverLimit, environ: dict[str, Any], start_response: StartResponse, started: float
) -> list[bytes]:
    with bind_request_id(request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))) as request_id:
        body = json.dumps(error_payload(refusal.code, refusal.message)).encode()
    headers = [
        *_refusal_headers,
        *refusal.headers.items(),
        (HEADER, request_id),
        ("Content-Length", str(len(body))),
    ]
    start_response("429 Too Many Requests", headers)
    route = _ingest_route()
    REPORTS_REFUSED.labels(reason=refusal.code).inc()
    HTTP_REQUESTS.labels(route=route, method="POST", status="429").inc()
    HTTP_DURATION.labels(route=route, method="POST").observe(time.perf_counter() - started)
    return [body]


@cache
def _ingest_route() -> str:
    """The label Django's own answers to the endpoint are counted under (its URL pattern)."""
    return resolve(INGEST_PATH).route


def forget_refusal_headers() -> None:
    """Forget the learnt headers (tests change the settings they come from)."""
    _refusal_headers.clear()
