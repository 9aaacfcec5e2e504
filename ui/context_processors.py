from typing import Any

from django.http import HttpRequest

from ui.nav import admin_navigation, portal_navigation


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if getattr(user, "is_admin", False):
        return {"admin_nav": admin_navigation(request.path)}
    return {"portal_nav": portal_navigation(request.path)}
