"""Typed errors and the one error contract.

A refusal is a DomainError(code, message, status). For JSON and htmx requests every error
(400/403/404/405/413/429/500) becomes {"error": {"code", "message", "request_id"}}; full-page
requests get a friendly page with the same message and request id. Tracebacks never reach a user.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.db.models import Model, QuerySet
from django.dispatch import Signal
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from academy.request_id import get_request_id

logger = logging.getLogger("academy.errors")

# Sent for every error response the contract produces: (request, status, code, message,
# exception, rendered_page). The incident hub listens; nothing here depends on it.
error_response = Signal()


class DomainError(Exception):
    """A refusal a person should understand: a stable code, a human message, an HTTP status."""

    status = 400
    # Django logs every 4xx answer as a warning. A refusal repeated many times a second (a sender
    # already told to wait, refused again) sets this, so the log keeps one line per refusal that
    # says something new, not one per report of a storm.
    log_answer = True

    def __init__(
        self,
        code: str,
        message: str,
        status: int | None = None,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.details = details or {}
        self.headers = headers or {}


class NotFound(DomainError):
    status = 404


def get_or_not_found[M: Model](
    queryset: "QuerySet[M] | type[M]", code: str, message: str, **lookup: Any
) -> M:
    """The row that `lookup` names in `queryset`, or a typed NotFound: a 404 with `code` and
    `message` in the error contract (never Django's bare Http404, which has neither).

        student = get_or_not_found(Student, "student_not_found", "We could not find that student.", pk=student_id)
        lesson = get_or_not_found(Lesson.objects.select_related("series"), "lesson_not_found", "...", pk=lesson_id)

    Pass a queryset already narrowed to what the person may see (a parent's own students), so
    that another family's row is "not found" too, not "forbidden". Replaces the hand-written
    `x = Model.objects.filter(..).first()` / `if x is None: raise NotFound(..)` pairs.
    """
    objects = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    found = objects.filter(**lookup).first()
    if found is None:
        raise NotFound(code, message)
    return found


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


STANDARD = {
    400: ("bad_request", "The request could not be understood."),
    403: ("forbidden", "You do not have access to this page."),
    404: ("not_found", "We could not find what you asked for."),
    405: ("method_not_allowed", "This action is not allowed here."),
    413: ("payload_too_large", "The request is too large."),
    429: ("rate_limited", "Too many requests; please wait a moment and try again."),
    500: ("server_error", "Something went wrong on our side. It has been recorded."),
}


def wants_json(request: HttpRequest) -> bool:
    return json_wanted(
        content_type=request.content_type or "",
        accept=request.headers.get("Accept", ""),
        htmx=request.headers.get("HX-Request") == "true",
    )


def json_wanted(*, content_type: str, accept: str, htmx: bool) -> bool:
    """Whether a request with these headers gets its errors as JSON (else as a page)."""
    if htmx or content_type == "application/json":
        return True
    return "application/json" in accept and "text/html" not in accept


def error_payload(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "request_id": get_request_id()}
    if details:
        error["details"] = details
    return {"error": error}


def _error_base(request: HttpRequest) -> str:
    """A signed-in person keeps the app's navigation on an error page: the way on is beside it."""
    try:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return "ui/base.html"
        return "ui/admin_base.html" if getattr(user, "is_admin", False) else "ui/portal_base.html"
    except Exception:  # the error may be the database itself: a plain page still answers
        return "ui/base.html"


def render_error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    *,
    details: dict[str, Any] | None = None,
    exception: BaseException | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    response: HttpResponse
    page = not wants_json(request)
    if not page:
        response = JsonResponse(error_payload(code, message, details), status=status)
    else:
        context = {
            "status": status,
            "code": code,
            "message": message,
            "details": details or {},
            "request_id": get_request_id(),
            "error_base": _error_base(request),
        }
        response = render(request, "ui/error.html", context, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    # Marks the response as already reported (read back with getattr below); Django has no slot.
    response.error_code = code  # type: ignore[attr-defined]
    if not getattr(exception, "log_answer", True):
        response._has_been_logged = True  # type: ignore[attr-defined]  # django.utils.log.log_response
    error_response.send(
        sender=DomainError,
        request=request,
        status=status,
        code=code,
        message=message,
        exception=exception,
        # The person read `message` on a page rendered here: listeners may keep it as what they saw.
        rendered_page=page,
    )
    return response


def render_standard(
    request: HttpRequest, status: int, exception: BaseException | None = None
) -> HttpResponse:
    code, message = STANDARD[status]
    return render_error(request, status, code, message, exception=exception)


def response_for_exception(request: HttpRequest, exc: BaseException) -> HttpResponse | None:
    if isinstance(exc, DomainError):
        return render_error(
            request,
            exc.status,
            exc.code,
            exc.message,
            details=exc.details,
            exception=exc,
            headers=exc.headers,
        )
    if isinstance(exc, Http404):
        return render_standard(request, 404, exc)
    if isinstance(exc, PermissionDenied):
        return render_standard(request, 403, exc)
    if isinstance(exc, RequestDataTooBig):
        return render_standard(request, 413, exc)
    if isinstance(exc, ValidationError):
        return render_error(request, 400, "invalid", "; ".join(exc.messages), exception=exc)
    if isinstance(exc, (BadRequest, SuspiciousOperation)):
        return render_standard(request, 400, exc)
    return None


class ErrorContractMiddleware:
    """Turns typed errors into the contract, and bare error responses of JSON requests too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Django answers some errors itself (405 from require_http_methods, 403 from CSRF);
        # give JSON callers the same contract.
        if (
            response.status_code in STANDARD
            and not getattr(response, "error_code", None)
            and wants_json(request)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return render_standard(request, response.status_code)
        if response.status_code >= 500 and not getattr(response, "error_code", None):
            # A view answered a bare server error to a full page (an upstream it proxies broke, say):
            # the person keeps the view's page, and listeners still learn of the failure.
            code, message = STANDARD.get(response.status_code, STANDARD[500])
            error_response.send(
                sender=DomainError, request=request, status=response.status_code, code=code, message=message
            )
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        response = response_for_exception(request, exc)
        if response is None:
            logger.exception("Unhandled error on %s %s", request.method, request.path)
            response = render_standard(request, 500, exc)
        return response


# Django's own handlers (used for errors raised outside the view, e.g. by middleware or URL
# resolution) follow the same contract.
def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    response = response_for_exception(request, exception) if exception else None
    return response or render_standard(request, 400, exception)


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return render_standard(request, 403, exception)


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return render_standard(request, 404, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    return render_standard(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render_error(
        request,
        403,
        "csrf_failed",
        "Your session form expired or was not sent correctly. Reload the page and try again.",
    )
