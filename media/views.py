"""Admin > Insights > Media: every media item, its variants and derived state; optimise actions."""

from typing import cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from academy.errors import get_or_not_found
from academy.query import parse_date
from accounts.access import AuthenticatedRequest, admin_required
from media import owners, queries, services
from media.models import MediaItem, MediaVariant
from media.streaming import serve_variant


def _get_item(media_id: int) -> MediaItem:
    return get_or_not_found(
        MediaItem.objects.for_media_insights(),
        "media_not_found",
        "We could not find that media item.",
        pk=media_id,
    )


@admin_required
@require_GET
def insights(request: HttpRequest) -> HttpResponse:
    filters = {
        "state": request.GET.get("state", ""),
        "kind": request.GET.get("kind", ""),
        "date_from": request.GET.get("from", ""),
        "date_to": request.GET.get("to", ""),
        "sort": request.GET.get("sort", "newest"),
    }
    if filters["kind"] not in MediaItem.Kind.values:
        filters["kind"] = ""
    page = queries.insights_page(
        request.GET.get("page"),
        state=filters["state"],
        kind=filters["kind"],
        date_from=parse_date(filters["date_from"]),
        date_to=parse_date(filters["date_to"]),
        sort=filters["sort"],
    )
    # The list of every eligible item has already counted them: counting again costs a second pass
    # over every video (the slowest part of this page with many videos).
    unfiltered = not (filters["kind"] or filters["date_from"] or filters["date_to"])
    if filters["state"] == "eligible" and unfiltered:
        eligible_count = page.paginator.count
    else:
        eligible_count = queries.eligible_count()
    return render(
        request,
        "media/insights.html",
        {
            "page": page,
            "filters": filters,
            "kinds": MediaItem.Kind.choices,
            "owner_heading": owners.heading(),
            "eligible_count": eligible_count,
            "states": [
                ("eligible", "Eligible"),
                ("queued", "Queued"),
                ("optimised", "Optimised"),
                ("failed", "Failed"),
                ("refused", "Refused"),
            ],
            "sorts": [
                ("newest", "Newest"),
                ("oldest", "Oldest"),
                ("largest", "Largest"),
                ("smallest", "Smallest"),
                ("saving", "Biggest saving"),
                ("owner", owners.heading()),
            ],
        },
    )


@admin_required
@require_GET
def detail(request: HttpRequest, media_id: int) -> HttpResponse:
    item = _get_item(media_id)
    row = queries.rows_for([item])[0]
    variants = item.variants.order_by("id")
    context = {"row": row, "item": item, "variants": variants, "owner_heading": owners.heading()}
    return render(request, "media/detail.html", context)


@admin_required
@require_POST
def optimise(request: AuthenticatedRequest, media_id: int) -> JsonResponse:
    item = _get_item(media_id)
    queued = services.media_optimise_request(actor=request.user, item=item)
    return JsonResponse({"status": "queued", "job_id": queued.job_id, "media_id": item.pk}, status=202)


@admin_required
@require_POST
def optimise_all(request: AuthenticatedRequest) -> JsonResponse:
    result = services.media_optimise_all_eligible(actor=request.user)
    return JsonResponse({"status": "queued", "queued": result.queued, "skipped": result.skipped})


@admin_required
@require_GET
def variant_file(request: HttpRequest, variant_id: int) -> HttpResponse:
    variant = get_or_not_found(
        MediaVariant.objects.select_related("item"),
        "variant_not_found",
        "We could not find that file.",
        pk=variant_id,
    )
    response = serve_variant(request, variant, download=request.GET.get("download") == "1")
    return cast(HttpResponse, response)  # a streaming response is served the same way
