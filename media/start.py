"""The start page's media items (registered in MediaConfig.ready)."""

from django.db.models import Exists, OuterRef, Q, Sum
from django.urls import reverse

from media.models import MediaVariant
from media.queries import eligible_count
from ui import text
from ui.start import StartItem


def storage_figures() -> dict[str, int]:
    """Bytes stored (every variant), and for optimised items their originals' and web copies'
    bytes: one query."""
    has_web = MediaVariant.objects.filter(item=OuterRef("item"), role=MediaVariant.Role.WEB)
    figures = MediaVariant.objects.annotate(optimised=Exists(has_web)).aggregate(
        total=Sum("size_bytes"),
        originals=Sum("size_bytes", filter=Q(role=MediaVariant.Role.ORIGINAL, optimised=True)),
        web=Sum("size_bytes", filter=Q(role=MediaVariant.Role.WEB)),
    )
    return {name: value or 0 for name, value in figures.items()}


def start_items() -> list[StartItem]:
    """Videos eligible for optimising (one count) and storage used (one query)."""
    url = reverse("media:insights")
    figures = storage_figures()
    saved = figures["originals"] - figures["web"]
    if figures["web"]:
        note = f"web copies are {text.size_change(saved)} than their originals"
    else:
        note = "no video optimised yet"
    return [
        StartItem(
            "Videos to optimise",
            eligible_count(),
            f"{url}?state=eligible",
            note="only their original is stored",
            needs_action=False,
        ),
        StartItem(
            "Storage used",
            figures["total"],
            f"{url}?sort=largest",
            note=note,
            needs_action=False,
            value=text.size(figures["total"]),
        ),
    ]
