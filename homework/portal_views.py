"""Customer portal: a customer sees only their own students."""

from typing import cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from academics.students.queries import get_visible_student, students_visible_to
from academics.tasks.models import Task
from academy.errors import NotFound, get_or_not_found
from accounts.access import AuthenticatedRequest, customer_required
from homework import portal, queries
from media import sniff
from media.models import MediaVariant
from media.streaming import serve_variant


@customer_required
def portal_home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    students = list(students_visible_to(user).active().order_by("first_name", "id"))
    now = timezone.localtime()
    greeting = "Good morning" if now.hour < 12 else "Good afternoon" if now.hour < 18 else "Good evening"
    return render(
        request,
        "homework/portal_home.html",
        {
            "students": students,
            "cards": portal.child_cards(students, today=now.date()),
            "today": now.date(),
            "greeting": greeting,
            "first_name": (user.full_name or user.email).split()[0],
        },
    )


@customer_required
def portal_student(request: AuthenticatedRequest, student_id: int) -> HttpResponse:
    student = get_visible_student(request.user, student_id)
    today = timezone.localdate()
    return render(
        request,
        "homework/portal_student.html",
        {"student": student, "page": portal.child_page(student, today=today), "today": today},
    )


def _chosen(request: HttpRequest, name: str) -> int | None:
    """A preselection from the query string (the Tasks page's "Hand in" link); junk is ignored."""
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@customer_required
@require_GET
def portal_homework(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    students = students_visible_to(user).active().order_by("first_name")
    return render(
        request,
        "homework/portal_homework.html",
        {
            "students": students,
            "chosen_student": _chosen(request, "student"),
            "chosen_task": _chosen(request, "task"),
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
def portal_homework_card(request: AuthenticatedRequest, homework_id: int) -> HttpResponse:
    """One homework's card in the Handed-in list: fetched when an upload completes, and polled
    (every 2 s, by htmx) while a file is still processing; the answer stops the polling once
    nothing is left to change."""
    row = queries.portal_homework_card(request.user, homework_id)
    if row is None:
        raise NotFound("homework_not_found", "We could not find that homework.")
    return render(request, "homework/_portal_card.html", {"row": row})


@customer_required
@require_GET
def portal_file(request: AuthenticatedRequest, variant_id: int) -> HttpResponse:
    """A customer opens or plays a file handed in for one of their own students (ranged reads)."""
    user = request.user
    variant = get_or_not_found(
        MediaVariant.objects.select_related("item"),
        "file_not_found",
        "We could not find that file.",
        pk=variant_id,
        item__homework_file__homework__student__in=students_visible_to(user),
    )
    response = serve_variant(request, variant, download=request.GET.get("download") == "1")
    return cast(HttpResponse, response)  # a streaming response is served the same way
