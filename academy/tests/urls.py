"""Views that fail on purpose, to test the error contract end to end through the real stack."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path

from academy.errors import DomainError
from academy.urls import handler400, handler403, handler404, handler500

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internal detail: password=hunter2")


def refuse(request: HttpRequest) -> HttpResponse:
    raise DomainError("lesson_has_attendance", "Cannot delete a lesson with attendance records.", 409)


def slow_down(request: HttpRequest) -> HttpResponse:
    raise DomainError("rate_limited", "Too many reports.", 429, headers={"Retry-After": "30"})


def echo_body(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"size": len(request.body)})


urlpatterns = [
    path("boom/", boom),
    path("refuse/", refuse),
    path("slow-down/", slow_down),
    path("echo/", echo_body),
    path("", include("academy.urls")),
]
