"""Customer portal: a customer sees only their own students."""

from typing import cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from academics.task_models import Task
from academy.errors import NotFound
from accounts.access import customer_required, get_visible_student, students_visible_to
from accounts.models import User
from homework import queries
from media import sniff
from media.models import MediaVariant
from media.streaming import serve_variant


@customer_required
def portal_home(request: HttpRequest) -> HttpResponse:
    students = students_visible_to(cast(User, request.user)).active().order_by("first_name")
    return render(request, "homework/portal_home.html", {"students": students})


@customer_required
def portal_student(request: HttpRequest, student_id: int) -> HttpResponse:
    student = get_visible_student(cast(User, request.user), student_id)
    return render(request, "homework/portal_student.html", {"student": student})


@customer_required
@require_GET
def portal_homework(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    students = students_visible_to(user).active().order_by("first_name")
    return render(
        request,
        "homework/portal_homework.html",
        {
            "students": students,
            "tasks": Task.objects.assignments_for(students),
            "rows": queries.portal_homework(user),
            "allowed": sniff.allowed_summary(),
            "accept": ",".join(sniff.ALLOWED_TYPES),
            "max_video": settings.MEDIA_MAX_VIDEO_BYTES,
            "max_file": settings.MEDIA_MAX_FILE_BYTES,
        },
    )


@customer_required
@require_GET
def portal_file(request: HttpRequest, variant_id: int) -> HttpResponse:
    """A customer opens or plays a file handed in for one of their own students (ranged reads)."""
    user = cast(User, request.user)
    variant = (
        MediaVariant.objects.select_related("item")
        .filter(pk=variant_id, item__student__in=students_visible_to(user))
        .first()
    )
    if variant is None:
        raise NotFound("file_not_found", "We could not find that file.")
    response = serve_variant(request, variant, download=request.GET.get("download") == "1")
    return cast(HttpResponse, response)  # a streaming response is served the same way
