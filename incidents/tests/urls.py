"""The project's URLs plus views that fail on purpose, for capture tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from academy.errors import Conflict


def explode(request: HttpRequest, student_id: int) -> HttpResponse:
    raise RuntimeError(f"Cannot compute for student {student_id} with password=hunter2")


def refuse(request: HttpRequest, lesson_id: int) -> HttpResponse:
    raise Conflict("has_attendance", f"Cannot delete lesson {lesson_id} with attendance records.")


def bare_500(request: HttpRequest) -> HttpResponse:
    return HttpResponse("upstream broke", status=500)


urlpatterns = [
    path("boom/<int:student_id>/", explode),
    path("refuse/<int:lesson_id>/", refuse),
    path("bare/", bare_500),
    path("", include("academy.urls")),
]
handler500 = "academy.errors.server_error"
