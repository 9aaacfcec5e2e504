from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import admin_required
from ui import start


@admin_required
def admin_home(request: HttpRequest) -> HttpResponse:
    """Where admins land: what needs a person today, each a count linking to its filtered list."""
    items = start.items()
    to_do = [i for i in items if i.needs_action and i.count]
    return render(request, "ui/start.html", {"items": items, "to_do": len(to_do)})
