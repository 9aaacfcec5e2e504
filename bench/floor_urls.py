"""The incident benchmark's second floor: the app's URLs plus one POST endpoint that does only
what every logged-in POST costs (session, user, CSRF, the middleware chain) and no work.

Measured beside /healthz and ingest, it shows how much of ingest's cost is the request pipeline
itself and how much is ingest's own work. Never part of the app: only bench/floor_settings.py
points at it.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.http import require_POST

from academy.errors import Forbidden


@require_POST
def logged_in_noop(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        raise Forbidden("not_authenticated", "Please log in first.")
    request.read()
    return JsonResponse({"status": "accepted"}, status=202)


urlpatterns = [
    path("bench/logged-in-noop", logged_in_noop),
    path("", include("academy.urls")),
]
