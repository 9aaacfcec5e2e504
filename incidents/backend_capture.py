"""Backend capture: error responses and failed jobs become occurrences.

Connected in IncidentsConfig.ready(). Capturing must never change the response a person gets,
so every failure in here is logged and swallowed.
"""

import inspect
import logging
import sys
import traceback as tb
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError
from django.http import HttpRequest
from django.tasks import TaskResultStatus

from academy.client import client_ip
from academy.errors import error_payload
from academy.request_id import get_request_id
from incidents.capture import Capture
from incidents.fingerprints import entities_from_kwargs, route_for_url
from incidents.models import Source
from incidents.recording import occurrence_record
from incidents.scrub import (
    SHORT_CHARS,
    TRACEBACK_CHARS,
    URL_CHARS,
    cap_payload,
    clean,
    scrub_data,
    scrub_headers,
)

if TYPE_CHECKING:
    from accounts.models import User


logger = logging.getLogger(__name__)

INGEST_PATH = "/api/incidents"  # incidents/wsgi.py refuses there too
_HEADERS = ("Accept", "Content-Type", "Referer", "Origin", "HX-Request", "HX-Target", "HX-Trigger")


def _exception_text(exc: BaseException | None) -> tuple[str, str, str]:
    """(type, message, traceback) of an exception, scrubbed."""
    if exc is None:
        return "", "", ""
    kind = f"{type(exc).__module__}.{type(exc).__qualname__}".removeprefix("builtins.")
    text = "".join(tb.format_exception(exc))
    return clean(kind, SHORT_CHARS), clean(str(exc)), clean(text, TRACEBACK_CHARS)


def on_error_response(
    sender: Any,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    exception: BaseException | None = None,
    rendered_page: bool = False,
    **kwargs: Any,
) -> None:
    try:
        _capture_error_response(request, status, code, message, exception, rendered_page)
    except Exception:
        logger.exception("Could not record an incident for %s %s", request.method, request.path)


def _capture_error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    exception: BaseException | None,
    rendered_page: bool = False,
) -> None:
    if request.path == INGEST_PATH or status < 400:
        return  # the reporter's own refusals would only feed on themselves
    user: User | None = getattr(request, "user", None)  # set by AuthenticationMiddleware
    authenticated = bool(user is not None and user.is_authenticated)
    # Anonymous 4xx are mostly bots probing URLs: only server errors are worth a record then.
    if status < 500 and not authenticated:
        return
    if status >= 500 and exception is None:
        exception = sys.exc_info()[1]
    match = getattr(request, "resolver_match", None)
    route = "/" + match.route if match is not None and match.route else route_for_url(request.path)
    exc_type, exc_message, traceback = ("", "", "")
    if status >= 500:
        exc_type, exc_message, traceback = _exception_text(exception)
    details = getattr(exception, "details", None) or None
    capture = Capture(
        source=Source.BACKEND,
        method=request.method or "",
        url=clean(request.get_full_path(), URL_CHARS),
        route=route[:300],
        status_code=status,
        error_code=clean(code, 200),
        backend_message=clean(exc_message if status >= 500 and exc_message else message),
        backend_payload=cap_payload(error_payload(code, message, details)),
        request_context=scrub_data(
            {
                "headers": scrub_headers({h: request.headers[h] for h in _HEADERS if h in request.headers}),
                "query": {k: request.GET.getlist(k) for k in list(request.GET)[:50]},
                "view": match.view_name if match is not None else "",
            }
        ),
        exception_type=exc_type,
        traceback=traceback,
        user_agent=clean(request.headers.get("User-Agent", ""), 500),
        request_id=getattr(request, "request_id", "") or "",
        client_ip=client_ip(request),
        entities=entities_from_kwargs(match.kwargs if match is not None else {}),
        shown_message=clean(message) if rendered_page else "",
        anonymous=not authenticated,
    )
    try:
        occurrence_record(actor=user if authenticated else None, capture=capture)
    except DatabaseError:
        logger.exception("Database refused an incident record for %s", request.path)


def on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """Failed jobs. The jobs app's worker adds job_id, attempt, reason, will_retry and request_id
    (see jobs/README.md); a plain django_tasks_db worker sends only task_result."""
    try:
        if task_result.status == TaskResultStatus.FAILED:
            _capture_failed_job(task_result, kwargs)
    except Exception:
        logger.exception("Could not record an incident for job %s", getattr(task_result, "id", "?"))


def _task_arguments(task_result: Any) -> dict[str, Any]:
    values = dict(task_result.kwargs or {})
    try:
        bound = inspect.signature(task_result.task.func).bind_partial(*task_result.args, **values)
        values.update(bound.arguments)
    except (TypeError, ValueError, AttributeError):
        pass
    return values


def _capture_failed_job(task_result: Any, extra: dict[str, Any]) -> None:
    error = task_result.errors[-1] if task_result.errors else None
    exc_type = error.exception_class_path if error is not None else ""
    traceback = error.traceback if error is not None else ""
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    message = lines[-1].split(": ", 1)[-1] if lines else str(extra.get("reason") or "The job failed.")
    job_id = str(extra.get("job_id") or task_result.id)
    request_id = str(extra.get("request_id") or get_request_id())
    attempt = extra.get("attempt") or task_result.attempts
    task_name = task_result.task.module_path
    capture = Capture(
        source=Source.JOB,
        route=clean(task_name, 300),
        error_code="",
        backend_message=clean(message),
        backend_payload=cap_payload(
            {
                "job": job_id,
                "task": task_name,
                "attempt": attempt,
                "reason": extra.get("reason", ""),
                "will_retry": extra.get("will_retry"),
                "retry_job_id": extra.get("retry_job_id"),
                "args": task_result.args,
                "kwargs": task_result.kwargs,
            }
        ),
        exception_type=clean(exc_type, SHORT_CHARS),
        traceback=clean(traceback, TRACEBACK_CHARS),
        request_id="" if request_id == "-" else request_id,
        job_id=job_id[:64],
        task_name=clean(task_name, 300),
        attempt=attempt,
        entities=(("job", job_id[:64]), *entities_from_kwargs(_task_arguments(task_result))),
        will_retry=bool(extra.get("will_retry")),
    )
    occurrence_record(actor=None, capture=capture)
