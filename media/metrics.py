"""Storage figures for /metrics (academy/metrics.py): bytes kept, by kind of variant."""

from collections.abc import Iterable

from django.db.models import Sum
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from media.models import MediaVariant


class StorageCollector(Collector):
    """One query at scrape time: the sizes of every variant, summed by role."""

    def collect(self) -> Iterable[Metric]:
        stored = GaugeMetricFamily(
            "academy_storage_bytes", "Bytes in storage, by kind (original, web, poster)", labels=["kind"]
        )
        sums = dict(
            MediaVariant.objects.values_list("role").annotate(total=Sum("size_bytes")).order_by("role")
        )
        for role in MediaVariant.Role.values:
            stored.add_metric([role], sums.get(role) or 0)
        yield stored
