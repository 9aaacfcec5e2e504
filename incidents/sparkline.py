"""Per-day occurrence counts of the listed incidents, drawn as tiny inline SVG polylines."""

from datetime import datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from incidents.models import Occurrence

DAYS = 14
WIDTH, HEIGHT = 84, 20


def sparklines(incident_ids: list[int], days: int = DAYS) -> dict[int, dict[str, object]]:
    """{incident id: {"points": "x,y ...", "counts": [...]}} in one query for the whole page."""
    if not incident_ids:
        return {}
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first, time.min))
    rows = (
        Occurrence.objects.filter(incident_id__in=incident_ids, created_at__gte=start)
        .annotate(day=TruncDate("created_at"))
        .values("incident_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[int, list[int]] = {pk: [0] * days for pk in incident_ids}
    for row in rows:
        index = (row["day"] - first).days
        if 0 <= index < days:
            counts[row["incident_id"]][index] += row["n"]
    result: dict[int, dict[str, object]] = {}
    for pk, series in counts.items():
        peak = max(series) or 1
        step = WIDTH / (days - 1)
        points = " ".join(
            f"{i * step:.1f},{HEIGHT - 1 - (n / peak) * (HEIGHT - 2):.1f}" for i, n in enumerate(series)
        )
        result[pk] = {"points": points, "counts": series, "total": sum(series)}
    return result
