"""Request ids: one per request (or job), carried into logs, error payloads and jobs."""

import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# Accept ids a proxy or the browser may send, but nothing that could smuggle text into logs.
_VALID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_current: ContextVar[str] = ContextVar("request_id", default="-")


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_for(incoming: str) -> str:
    """The id a request goes by: the one a proxy or the browser sent, if it is safe to log, or a
    new one."""
    return incoming if _VALID.match(incoming) else new_request_id()


def get_request_id() -> str:
    """The id of the request or job this code runs for, or '-' outside of one."""
    return _current.get()


@contextmanager
def bind_request_id(request_id: str) -> Iterator[str]:
    token = _current.set(request_id)
    try:
        yield request_id
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request.headers.get(HEADER, ""))
        # Django's request has no such attribute; readers use getattr(request, "request_id", "").
        request.request_id = request_id  # type: ignore[attr-defined]
        with bind_request_id(request_id):
            response = self.get_response(request)
        response[HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # django.request logs a request's outcome after the middleware has returned; the
            # request it passes along still carries the id.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or get_request_id()
        return True
