"""Reads of the media app: the Media insights rows with their derived state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.core.paginator import Page, Paginator
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from media import jobstate, owners
from media.models import MediaItem, MediaVariant

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

STATES = ("original_only", "queued", "optimised", "failed", "refused")
STATE_LABELS = {
    "original_only": "Original only",
    "queued": "Queued",
    "optimised": "Optimised",
    "failed": "Failed",
    "refused": "Refused",
    "stored": "Stored",
}
SORTS = {
    "newest": "-created_at",
    "oldest": "created_at",
    "largest": "-size_bytes",
    "smallest": "size_bytes",
}


@dataclass
class MediaRow:
    item: MediaItem
    state: str  # original_only | queued | optimised | failed | refused | stored (non-video)
    error: str
    job_id: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def eligible(self) -> bool:
        """Optimise button shown: a video with only its original, no active job, not refused."""
        return self.state in ("original_only", "failed")

    @property
    def saving_bytes(self) -> int | None:
        web = getattr(self.item, "web_size", None)
        return None if web is None else self.item.size_bytes - web

    @property
    def saving_percent(self) -> int | None:
        web: int | None = getattr(self.item, "web_size", None)
        if web is None or not self.item.size_bytes:
            return None
        return round(100 * (self.item.size_bytes - web) / self.item.size_bytes)


def derive_state(item: Any, job: jobstate.JobState | None) -> tuple[str, str]:
    count = getattr(item, "variant_count", None)
    if count is None:
        count = item.variants.count()
    if count > 1:
        return "optimised", ""
    if item.kind != MediaItem.Kind.VIDEO:
        return "stored", ""
    if job is not None and job.status == "queued":
        return "queued", ""
    if job is not None and job.status in ("failed", "refused"):
        return job.status, job.error or "The job failed."
    return "original_only", ""


def rows_for(items: list[MediaItem]) -> list[MediaRow]:
    states = jobstate.states_for([i.pk for i in items if getattr(i, "variant_count", 2) <= 1])
    rows = []
    for item in items:
        job = states.get(item.pk)
        state, error = derive_state(item, job)
        rows.append(MediaRow(item, state, error, job.job_id if job else ""))
    return rows


def _day_start(day: date) -> datetime:
    """Local midnight: a date filter compares the indexed column, not a function of it."""
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def insights_queryset(
    *,
    state: str = "",
    kind: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    sort: str = "newest",
) -> QuerySet[MediaItem]:
    """The Media page's items, filtered and sorted by the database (state included), without the
    variant facts: count and page it, then `rows_for` the page. Every state is derived from
    structure as `derive_state` does: another variant than the original means optimised; a video
    with its original only is queued, failed, refused or original-only by its optimise jobs."""
    qs = MediaItem.objects.select_related("uploader", *owners.related())
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(created_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(created_at__lt=_day_start(date_to + timedelta(days=1)))
    if state == "optimised":
        qs = qs.optimised()
    elif state == "queued":
        qs = qs.original_only().filter(jobstate.active())
    elif state == "eligible":
        qs = qs.eligible()
    elif state == "failed":
        # An optimise job of it failed (a later success would have made variants), not refused.
        qs = qs.eligible().filter(jobstate.has_failed(), ~jobstate.refused())
    elif state == "original_only":
        qs = qs.eligible().filter(~jobstate.has_failed())
    elif state == "refused":
        qs = qs.original_only().filter(~jobstate.active(), jobstate.refused())
    if sort == "saving":
        web = MediaVariant.objects.filter(item=OuterRef("pk"), role=MediaVariant.Role.WEB).values(
            "size_bytes"
        )
        saving = Coalesce(F("size_bytes") - Subquery(web[:1]), 0)
        return qs.order_by(saving.desc(), "-created_at", "-id")
    if sort == "owner":
        return qs.order_by(owners.sort_by(), "-created_at", "-id")
    return qs.order_by(SORTS.get(sort, "-created_at"), "-id")


class _VariantCount(TypedDict):
    variant_count: int


def with_variant_facts(items: list[MediaItem]) -> list[MediaItem]:
    """What `MediaItemQuerySet.with_variant_facts` annotates, for a page of items: one query."""
    facts: dict[int, dict[str, Any]] = {i.pk: {"variant_count": 0} for i in items}
    variants = MediaVariant.objects.filter(item_id__in=facts).values_list(
        "item_id", "role", "id", "size_bytes"
    )
    for item_id, role, variant_id, size in variants:
        fact = facts[item_id]
        fact["variant_count"] += 1
        fact[f"{role}_id"] = variant_id
        if role == MediaVariant.Role.WEB:
            fact["web_size"] = size
    for item in items:
        fact = facts[item.pk]
        cast("WithAnnotations[MediaItem, _VariantCount]", item).variant_count = fact["variant_count"]
        for name in ("web_size", "poster_id", "web_id", "original_id"):
            setattr(item, name, fact.get(name))
    return items


def insights_page(page_number: Any, *, per_page: int = 50, **filters: Any) -> Page[Any]:
    """One page of the Media page's rows: a count, the page's items, their variants, their jobs."""
    page: Page[Any] = Paginator(insights_queryset(**filters), per_page).get_page(page_number)
    page.object_list = rows_for(with_variant_facts(list(page.object_list)))  # rows of items
    return page


def eligible_count() -> int:
    return MediaItem.objects.eligible().count()


def eligible_ids() -> list[int]:
    """Eligible items, oldest first."""
    return list(MediaItem.objects.eligible().order_by("created_at", "id").values_list("pk", flat=True))
