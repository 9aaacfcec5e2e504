"""Admin > Insights > Jobs: tabs, filters, workers, chart, detail and the re-run/delete actions."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_tasks_db.models import DBTaskResult

from academy.errors import Conflict, DomainError, wants_json
from academy.query import EARLIEST, LATEST, parse_date
from accounts.access import AuthenticatedRequest, admin_required
from jobs import queries, services

PAGE_SIZE = 25
CHART_W, CHART_H, CHART_PAD = 720, 140, 18


# Opened without a tab, the page shows the first of these with something in it: what needs a
# person (failed, stuck) before what is waiting, and the history last.
DEFAULT_TAB_ORDER = ("failed", "stuck", "pending", "running", "succeeded")


def default_tab(counts: dict[str, int]) -> str:
    return next((tab for tab in DEFAULT_TAB_ORDER if counts.get(tab)), "failed")


def _filters(request: HttpRequest, counts: dict[str, int] | None = None) -> queries.Filters:
    tab = request.GET.get("tab", "")
    if tab not in queries.TABS:
        tab = default_tab(counts) if counts is not None else "pending"
    raw_day = request.GET.get("date", "").strip()
    day = parse_date(raw_day)
    if raw_day and day is None:
        raise DomainError(
            "invalid_date",
            f"“{raw_day[:20]}” is not a date from {EARLIEST} to {LATEST}; use YYYY-MM-DD.",
        )
    return queries.Filters(
        tab=tab,
        task=request.GET.get("task", "").strip(),
        queue=request.GET.get("queue", "").strip(),
        day=day,
        search=request.GET.get("q", "").strip()[:200],
    )


def _tab_list(counts: dict[str, int]) -> list[tuple[str, str, int, str]]:
    return [(key, label, counts[key], queries.count_text(counts[key])) for key, label in queries.TABS.items()]


class CappedPaginator(Paginator[Any]):
    """Pages of a tab without counting all of it (see queries.capped_count): past the cap the
    page says "10,000+" and offers the pages up to there."""

    def __init__(
        self, jobs: QuerySet[DBTaskResult[Any, Any]], per_page: int, known_count: int | None = None
    ) -> None:
        super().__init__(jobs, per_page)
        self.jobs = jobs
        self.known_count = known_count

    @cached_property
    def count(self) -> int:
        return self.known_count if self.known_count is not None else queries.capped_count(self.jobs)

    @property
    def capped(self) -> bool:
        return self.count > queries.COUNT_CAP

    @property
    def count_text(self) -> str:
        return queries.count_text(self.count)


def _chart(bars: list[queries.Bar]) -> dict[str, Any]:
    top = max([b.finished + b.failed for b in bars] + [1])
    slot = CHART_W / len(bars)
    rows = []
    for i, b in enumerate(bars):
        ok_h = round(b.finished / top * CHART_H, 1)
        fail_h = round(b.failed / top * CHART_H, 1)
        rows.append(
            {
                "x": round(i * slot + 2, 1),
                "w": round(slot - 4, 1),
                "ok_y": round(CHART_H - ok_h, 1),
                "ok_h": ok_h,
                "fail_y": round(CHART_H - ok_h - fail_h, 1),
                "fail_h": fail_h,
                "bar": b,
                "label_x": round(i * slot + slot / 2, 1),
                "show_label": i % 3 == 0,
            }
        )
    return {"bars": rows, "width": CHART_W, "height": CHART_H + CHART_PAD, "axis_y": CHART_H + 13, "top": top}


@admin_required
@require_GET
def insights(request: HttpRequest) -> HttpResponse:
    running = queries.running_state()
    tab_counts = queries.tab_counts(running)
    filters = _filters(request, tab_counts)
    unfiltered = not (filters.task or filters.queue or filters.day or filters.search)
    page = CappedPaginator(
        queries.job_list(filters, running),
        PAGE_SIZE,
        known_count=tab_counts[filters.tab] if unfiltered else None,  # the tab's count: same rows, same cap
    ).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "tab_list": _tab_list(tab_counts),
        "page": page,
        "choices": queries.filter_choices(),
        "workers": queries.workers_panel(running),
        "chart": _chart(queries.hourly_chart()),
        "stuck": set(running.stuck),
    }
    return render(request, "jobs/insights.html", context)


@admin_required
@require_GET
def counts(request: HttpRequest) -> HttpResponse:
    """The tab strip alone, for htmx polling: counts refresh without a page load."""
    filters = _filters(request)
    context = {"filters": filters, "tab_list": _tab_list(queries.tab_counts(queries.running_state()))}
    return render(request, "jobs/_tabs.html", context)


@admin_required
@require_GET
def detail(request: HttpRequest, job_id: str) -> HttpResponse:
    return render(request, "jobs/detail.html", {"d": queries.job_detail(job_id)})


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = default
    return HttpResponseRedirect(target or default, status=303)


def _act[Done: (services.Rerun, services.Deleted)](
    request: AuthenticatedRequest,
    job_id: str,
    action: Callable[..., Done],
    then: Callable[[Done], str],
) -> HttpResponse:
    """Run a re-run or delete service and say how it went on the page the admin goes to next:
    `then(done)` (or back to the job's page when it was refused)."""
    try:
        done = action(actor=request.user, job_id=job_id)
    except Conflict as exc:
        if wants_json(request):
            raise
        messages.error(request, exc.message)
        return _back(request, reverse("jobs:detail", kwargs={"job_id": job_id}))
    (messages.info if done.already else messages.success)(request, done.message)
    return _back(request, then(done))


@admin_required
@require_POST
def rerun(request: AuthenticatedRequest, job_id: str) -> HttpResponse:
    return _act(
        request,
        job_id,
        services.job_rerun,
        lambda done: reverse("jobs:detail", kwargs={"job_id": done.new_job_id}),
    )


@admin_required
@require_POST
def delete(request: AuthenticatedRequest, job_id: str) -> HttpResponse:
    return _act(request, job_id, services.job_delete, lambda done: reverse("jobs:insights"))


@admin_required
@require_POST
def bulk(request: AuthenticatedRequest) -> HttpResponse:
    ids = request.POST.getlist("job_ids")
    if not ids:
        if wants_json(request):
            raise DomainError("nothing_selected", "Select at least one job first.")
        # A person's slip: say so on the page they are on, not on an error page.
        messages.error(request, "Select at least one job first.")
        return _back(request, reverse("jobs:insights"))
    outcomes = services.jobs_bulk(actor=request.user, action=request.POST.get("action", ""), job_ids=ids)
    done = [o for o in outcomes if o.ok]
    refused = [o for o in outcomes if not o.ok]
    if done:
        messages.success(
            request, f"{len(done)} of {len(outcomes)} done: " + " ".join(o.message for o in done[:5])
        )
    for o in refused[:5]:
        messages.error(request, o.message)
    return _back(request, reverse("jobs:insights"))
