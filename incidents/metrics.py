"""Incident figures for /metrics (academy/metrics.py): reports taken in, and what waits for a person."""

from collections.abc import Iterable

from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from incidents.models import Incident, PendingReport, Status

REPORTS_ACCEPTED = Counter("academy_incident_reports_accepted_total", "Browser incident reports accepted")
REPORTS_REFUSED = Counter(
    "academy_incident_reports_refused_total", "Browser incident reports refused, by reason", ["reason"]
)


class IncidentsCollector(Collector):
    """Reports still waiting for grouping, and open incidents, at scrape time (two queries)."""

    def collect(self) -> Iterable[Metric]:
        yield GaugeMetricFamily(
            "academy_incident_reports_waiting",
            "Accepted browser reports not grouped into incidents yet",
            value=PendingReport.objects.count(),
        )
        yield GaugeMetricFamily(
            "academy_incidents_open",
            "Incidents open in the hub",
            value=Incident.objects.filter(status=Status.OPEN).count(),
        )
