"""Admin > Academic > Homework: the list, one homework with its files (view / play), review."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from academy.errors import get_or_not_found
from academy.paging import CappedPaginator
from accounts.access import AuthenticatedRequest, admin_required
from homework import queries, services
from homework.models import Homework


def _homework(homework_id: int) -> Homework:
    return get_or_not_found(
        Homework, "homework_not_found", "We could not find that homework.", pk=homework_id
    )


@admin_required
@require_GET
def admin_list(request: HttpRequest) -> HttpResponse:
    # The list opens on what is waiting for a review (the to-do list); "all" shows everything.
    status = request.GET.get("status", Homework.Status.SUBMITTED)
    if status not in Homework.Status.values:
        status = ""
    page = CappedPaginator(queries.admin_homework(status=status), 50).get_page(request.GET.get("page"))
    rows = queries.rows(Homework.objects.filter(pk__in=[h.pk for h in page]).order_by("-created_at"))
    return render(
        request,
        "homework/admin_list.html",
        {"page": page, "rows": rows, "status": status, "statuses": Homework.Status.choices},
    )


@admin_required
@require_GET
def admin_detail(request: HttpRequest, homework_id: int) -> HttpResponse:
    row = queries.rows(Homework.objects.filter(pk=_homework(homework_id).pk))[0]
    return render(request, "homework/admin_detail.html", {"row": row, "homework": row.homework})


@admin_required
@require_POST
def admin_review(request: AuthenticatedRequest, homework_id: int) -> HttpResponse:
    homework = services.homework_review(
        actor=request.user,
        homework=_homework(homework_id),
        comment=request.POST.get("comment", "")[:5000],
    )
    messages.success(request, f"“{homework.title}” is marked reviewed.")
    return redirect("homework:admin_detail", homework_id=homework.pk)
