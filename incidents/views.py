"""Admin > Insights > Incidents, and the ingest endpoint the browser reporter posts to."""

import json
import logging
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from academy.client import client_ip
from academy.errors import DomainError, Forbidden, get_or_not_found
from academy.metrics import count_outcome
from academy.paging import CappedPaginator
from accounts.access import AuthenticatedRequest, admin_required
from incidents import alerts, assignment, inbox, ratelimit, reports, status_changes
from incidents.filters import HubFilters
from incidents.grouping import pending_reports_group
from incidents.ingest import browser_report_accept
from incidents.metrics import REPORTS_ACCEPTED, REPORTS_REFUSED
from incidents.models import (
    Alert,
    Incident,
    IncidentStatusChange,
    Occurrence,
    OccurrenceEntity,
    PendingReport,
)
from incidents.sparkline import sparklines
from incidents.tasks import nudge_grouping
from jobs import queries as job_queries

logger = logging.getLogger("incidents.views")


@count_outcome(REPORTS_ACCEPTED, REPORTS_REFUSED)
@require_POST
def ingest(request: HttpRequest) -> JsonResponse:
    """POST /api/incidents: one browser report. CSRF is enforced by the middleware."""
    session_key, ip = request.COOKIES.get(settings.SESSION_COOKIE_NAME), client_ip(request)
    # Before request.user: a sender known to be over its limit costs no query at all.
    early = ratelimit.refused_early(session_key=session_key, ip=ip)
    if early is not None:
        raise early
    try:
        return _ingest(request, ip)
    except ratelimit.OverLimit as refusal:
        ratelimit.remember_refusal(refusal, session_key=session_key)
        raise


def _ingest(request: HttpRequest, ip: str | None) -> JsonResponse:
    user = request.user
    if not user.is_authenticated or not user.is_active:
        raise Forbidden("not_authenticated", "Please log in first.")
    limit = settings.INCIDENT_MAX_REPORT_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise DomainError("payload_too_large", f"A report may be at most {limit // 1024} KiB.", 413)
    user_id = user.pk
    try:
        report = reports.validate(_parse(request, limit))
    except reports.InvalidReport:
        # Invalid reports count against the limit too; a refusal past it rolls its count back.
        with transaction.atomic(using=inbox.alias()):
            ratelimit.check(user_id=user_id, ip=ip)
        raise
    browser_report_accept(actor=user, capture=reports.to_capture(report, request))
    try:
        nudge_grouping()
    except DatabaseError:
        # The report is stored: answering 500 now would make the browser send it again, and it
        # would be recorded twice (found by bench/soak.py when the database dropped connections).
        # The periodic grouping run, every minute, picks it up.
        logger.warning("report stored, but its grouping run could not be asked for", exc_info=True)
    return JsonResponse({"status": "accepted"}, status=202)


def _parse(request: HttpRequest, limit: int) -> Any:
    # sendBeacon cannot set headers: it posts a form with the CSRF token and the report as a field.
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raw = request.POST.get("report", "")
    else:
        raw = request.read(limit + 1).decode("utf-8", errors="replace")
    if len(raw.encode()) > limit:
        raise DomainError("payload_too_large", f"A report may be at most {limit // 1024} KiB.", 413)
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise reports.InvalidReport(
            "invalid_json",
            f"The report is not valid JSON: {exc.args[0] if exc.args else exc}.",
            details={"fields": {"body": f"not valid JSON ({exc})"}},
        ) from None
    except RecursionError:
        # 60,000 "[" fit in the size limit and exhaust the decoder's recursion: a refusal like
        # any other invalid report (and counted as one by the caller), not a server error.
        raise reports.InvalidReport(
            "invalid_json",
            "The report is nested too deeply to read.",
            details={"fields": {"body": "nested too deeply"}},
        ) from None


def _incident(incident_id: int) -> Incident:
    return get_or_not_found(
        Incident.objects.select_related("assignee"),
        "incident_not_found",
        "We could not find that incident.",
        pk=incident_id,
    )


# "Group waiting reports now" groups at most this many in the request; the worker does the rest.
REFRESH_GROUPS_AT_MOST = 500


def _waiting_reports() -> int:
    """How many browser reports wait for the worker to group them (a read: pages never group)."""
    return PendingReport.objects.count()


@admin_required
@require_POST
def incidents_refresh(request: HttpRequest) -> HttpResponse:
    """Group waiting browser reports now, rather than waiting the second the worker takes."""
    grouped = pending_reports_group(limit=REFRESH_GROUPS_AT_MOST)
    if grouped.more_waiting:
        messages.info(
            request,
            f"Grouped {grouped.reports} waiting report{pluralize(grouped.reports)}; "
            "the worker is grouping the rest.",
        )
    elif grouped.reports:
        messages.success(request, f"Grouped {grouped.reports} waiting report{pluralize(grouped.reports)}.")
    else:
        messages.success(request, "No reports were waiting: the list is up to date.")
    return redirect(_safe_next(request) or "incidents:list")


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if target.startswith("/") and allowed else ""


@admin_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    waiting = _waiting_reports()
    filters = HubFilters.from_query(request.GET)
    incidents = filters.apply(Incident.objects.for_hub_list())
    # Counted up to the cap: an exact count of every open incident grew with the hub (PostgreSQL's
    # large/small time was 2.46 at 100,000 incidents, bench/pages.py "incidents").
    page = CappedPaginator(incidents, 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    lines = sparklines([incident.pk for incident in rows])
    for incident in rows:
        incident.sparkline = lines.get(incident.pk)
    return render(
        request,
        "incidents/list.html",
        {
            "page": page,
            "incidents": rows,
            "filters": filters,
            "choices": filters.choices(),
            "waiting": waiting,
            "alerting": alerts.alert_settings(),
            "recent_alerts": list(Alert.objects.select_related("incident")[:5]),
        },
    )


@admin_required
@require_GET
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    waiting = _waiting_reports()
    incident = _incident(incident_id)
    occurrences = Paginator(Occurrence.objects.filter(incident=incident).for_detail(), 20).get_page(
        request.GET.get("page")
    )
    actors = (
        Occurrence.objects.filter(incident=incident)
        .order_by("actor_type", "actor_id")
        .values("actor_type", "actor_id", "actor__email", "actor__full_name")
        .distinct()[:50]
    )
    entities = (
        OccurrenceEntity.objects.filter(incident=incident)
        .order_by("kind", "entity_id")
        .values_list("kind", "entity_id")
        .distinct()[:50]
    )
    history = IncidentStatusChange.objects.filter(incident=incident).select_related("actor")[:50]
    # A failed job's occurrence offers Re-run now here, while the job still needs it.
    can_rerun = job_queries.rerunnable(occ.job_id for occ in occurrences if occ.job_id)
    for occ in occurrences:
        occ.job_rerunnable = occ.job_id in can_rerun
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "page": occurrences,
            "actors": list(actors),
            "entities": [OccurrenceEntity(kind=k, entity_id=i) for k, i in entities],
            "history": history,
            "waiting": waiting,
            "mute_periods": assignment.MUTE_PERIODS,
        },
    )


TRANSITIONS = {
    "resolve": (status_changes.incident_resolve, "resolved"),
    "ignore": (status_changes.incident_ignore, "ignored"),
    "reopen": (status_changes.incident_reopen, "reopened"),
}


@admin_required
@require_POST
def incident_transition(request: AuthenticatedRequest, incident_id: int) -> HttpResponse:
    incident = _incident(incident_id)
    action = request.POST.get("action", "")
    if action not in TRANSITIONS:
        raise DomainError("invalid_action", "Choose resolve, ignore or reopen.", 400)
    service, done = TRANSITIONS[action]
    incident = service(actor=request.user, incident=incident, comment=request.POST.get("comment", ""))
    if request.headers.get("HX-Request") == "true":
        history = IncidentStatusChange.objects.filter(incident=incident).select_related("actor")[:50]
        context = {"incident": incident, "history": history, "mute_periods": assignment.MUTE_PERIODS}
        return render(request, "incidents/_status.html", context)
    messages.success(request, f"The incident was {done}.")
    return redirect("incidents:detail", incident_id=incident.pk)


@admin_required
@require_POST
def incident_assign(request: AuthenticatedRequest, incident_id: int) -> HttpResponse:
    """Take it ("mine") or let it go."""
    incident = _incident(incident_id)
    admin = request.user
    take = request.POST.get("action") == "take"
    assignment.incident_assign(actor=admin, incident=incident, assignee=admin if take else None)
    messages.success(request, "You look after this incident now." if take else "Nobody looks after it now.")
    return redirect("incidents:detail", incident_id=incident.pk)


@admin_required
@require_POST
def incident_mute(request: AuthenticatedRequest, incident_id: int) -> HttpResponse:
    incident = _incident(incident_id)
    try:
        hours = int(request.POST.get("hours", ""))
    except ValueError:
        hours = -1
    incident = assignment.incident_mute(actor=request.user, incident=incident, hours=hours)
    if hours:
        until = timezone.localtime(cast(datetime, incident.muted_until))
        messages.success(request, f"Alerts for this incident are muted until {until:%Y-%m-%d %H:%M}.")
    else:
        messages.success(request, "Alerts for this incident are on again.")
    return redirect("incidents:detail", incident_id=incident.pk)
