"""Reads of the media app: the Media insights rows with their derived state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from media import jobstate
from media.models import MediaItem

STATES = ("original_only", "queued", "optimised", "failed")
STATE_LABELS = {
    "original_only": "Original only",
    "queued": "Queued",
    "optimised": "Optimised",
    "failed": "Failed",
    "stored": "Stored",
}
SORTS = {
    "newest": "-created_at",
    "oldest": "created_at",
    "largest": "-size_bytes",
    "smallest": "size_bytes",
    "student": "student__last_name",
}


@dataclass
class MediaRow:
    item: MediaItem
    state: str  # original_only | queued | optimised | failed | stored (non-video)
    error: str
    job_id: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def eligible(self) -> bool:
        """Optimise button shown: a video with only its original and no active job."""
        return self.state in ("original_only", "failed")

    @property
    def saving_bytes(self) -> int | None:
        web = getattr(self.item, "web_size", None)
        return None if web is None else self.item.size_bytes - web

    @property
    def saving_percent(self) -> int | None:
        web = getattr(self.item, "web_size", None)
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
    if job is not None and job.status == "failed":
        return "failed", job.error or "The job failed."
    return "original_only", ""


def rows_for(items: list[MediaItem]) -> list[MediaRow]:
    states = jobstate.states_for([i.pk for i in items if getattr(i, "variant_count", 2) <= 1])
    rows = []
    for item in items:
        job = states.get(item.pk)
        state, error = derive_state(item, job)
        rows.append(MediaRow(item, state, error, job.job_id if job else ""))
    return rows


def insights_rows(
    *,
    state: str = "",
    kind: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    sort: str = "newest",
) -> list[MediaRow]:
    """Every media item matching the filters, with its derived state: two queries in all."""
    qs = MediaItem.objects.for_media_insights().order_by(SORTS.get(sort, "-created_at"), "-id")
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    if state == "optimised":
        qs = qs.filter(variant_count__gt=1)  # type: ignore[misc]
    elif state in ("eligible", "original_only", "queued", "failed"):
        qs = qs.filter(variant_count=1, kind=MediaItem.Kind.VIDEO)  # type: ignore[misc]
    rows = rows_for(list(qs))
    if state == "eligible":
        rows = [r for r in rows if r.eligible]
    elif state in ("original_only", "queued", "failed"):
        rows = [r for r in rows if r.state == state]
    if sort == "saving":
        rows.sort(key=lambda r: r.saving_bytes or 0, reverse=True)
    return rows


def eligible_ids() -> list[int]:
    """Eligible items (one variant, a video) without an active job."""
    ids = list(MediaItem.objects.eligible().order_by("created_at").values_list("pk", flat=True))
    states = jobstate.states_for(ids)
    return [i for i in ids if states.get(i) is None or states[i].status != "queued"]
