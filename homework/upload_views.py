"""Upload-session JSON endpoints for the portal (the protocol is in homework/upload_sessions.py).

    POST /portal/homework/uploads/                 {student, homework? | task? and/or title, name, size, type}
    GET  /portal/homework/uploads/<id>/            status
    POST /portal/homework/uploads/<id>/chunk/?offset=N   raw body (application/octet-stream), local
    POST /portal/homework/uploads/<id>/complete/
    POST /portal/homework/uploads/<id>/abort/

A customer reaches only their own sessions and students; anything else is a 404.
"""

import json
from typing import IO, Any, cast

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from academics.students.queries import get_visible_student
from academics.tasks.models import Task
from academy.errors import DomainError, get_or_not_found
from academy.metrics import count_outcome
from accounts.access import AuthenticatedRequest, customer_required
from homework import upload_sessions
from homework.metrics import UPLOADS_COMPLETED, UPLOADS_REFUSED, UPLOADS_STARTED
from homework.models import Homework, UploadSession


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")  # a small JSON declaration, never a file
    except ValueError:
        raise DomainError("bad_json", "The request body is not valid JSON.", 400) from None
    if not isinstance(data, dict):
        raise DomainError("bad_json", "The request body must be a JSON object.", 400)
    return data


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError("bad_request", f"{name} must be a whole number.", 400) from None


def _session(request: AuthenticatedRequest, session_id: int) -> UploadSession:
    return get_or_not_found(
        UploadSession.objects.select_related("student", "homework"),
        "upload_not_found",
        "We could not find that upload.",
        pk=session_id,
        uploader=request.user,
    )


def _status(session: UploadSession, **extra: Any) -> dict[str, Any]:
    return {
        "id": session.pk,
        "homework": session.homework_id,
        "student": session.student_id,
        "state": session.state,
        "bytes_received": session.bytes_received,
        "size": session.declared_size,
        "media": session.media_item_id,
        **extra,
    }


@count_outcome(UPLOADS_STARTED, UPLOADS_REFUSED)
@customer_required
@require_POST
def upload_create(request: AuthenticatedRequest) -> JsonResponse:
    user = request.user
    data = _json_body(request)
    student = get_visible_student(user, _int(data.get("student"), "student"))
    homework = None
    if data.get("homework"):
        homework = get_or_not_found(
            Homework.objects.filter(student=student),
            "homework_not_found",
            "We could not find that homework.",
            pk=_int(data["homework"], "homework"),
        )
    task = None
    if data.get("task") and homework is None:
        # Only a task assigned to this student, and still active, can be handed in.
        task = get_or_not_found(
            Task.objects.filter(students=student, is_active=True),
            "task_not_found",
            f"That task is not one of {student.full_name}'s tasks.",
            pk=_int(data["task"], "task"),
        )
    plan = upload_sessions.upload_session_create(
        actor=user,
        student=student,
        homework=homework,
        title=str(data.get("title") or "").strip() or (task.title if task else ""),
        task_id=task.pk if task else None,
        name=str(data.get("name") or ""),
        size=_int(data.get("size"), "size"),
        content_type=str(data.get("type") or ""),
    )
    return JsonResponse(plan.as_json(), status=201)


@customer_required
@require_GET
def upload_status(request: AuthenticatedRequest, session_id: int) -> JsonResponse:
    return JsonResponse(_status(_session(request, session_id)))


@count_outcome(None, UPLOADS_REFUSED)
@customer_required
@require_POST
def upload_chunk(request: AuthenticatedRequest, session_id: int) -> JsonResponse:
    session = _session(request, session_id)
    length = _int(request.META.get("CONTENT_LENGTH") or 0, "Content-Length")
    # `request` is a file-like over the body (bounded by Content-Length): streamed, never .body.
    session = upload_sessions.upload_session_append(
        actor=request.user,
        session=session,
        stream=cast(IO[bytes], request),  # HttpRequest reads like a binary file
        offset=_int(request.GET.get("offset"), "offset"),
        length=length,
    )
    return JsonResponse(_status(session))


@count_outcome(UPLOADS_COMPLETED, UPLOADS_REFUSED)
@customer_required
@require_POST
def upload_complete(request: AuthenticatedRequest, session_id: int) -> JsonResponse:
    session = _session(request, session_id)
    item = upload_sessions.upload_session_complete(actor=request.user, session=session)
    session.refresh_from_db()
    return JsonResponse(_status(session, kind=item.kind, content_type=item.content_type))


@customer_required
@require_POST
def upload_abort(request: AuthenticatedRequest, session_id: int) -> JsonResponse:
    session = upload_sessions.upload_session_abort(actor=request.user, session=_session(request, session_id))
    return JsonResponse(_status(session))
