"""The start page's incident item (registered in IncidentsConfig.ready)."""

from django.urls import reverse

from incidents.models import Incident, Level, Status
from ui.start import StartItem


def start_items() -> list[StartItem]:
    """Open incidents that need a person (errors, not the low-severity refusals): one query."""
    count = Incident.objects.filter(status=Status.OPEN, level=Level.ERROR).count()
    url = f"{reverse('incidents:list')}?status={Status.OPEN}&level={Level.ERROR}"
    return [StartItem("Open incidents", count, url, note="errors people or jobs ran into")]
