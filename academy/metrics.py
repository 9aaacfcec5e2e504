"""Metrics for Prometheus: `GET /metrics` in the text format, through prometheus_client.

Two kinds of figures:

* Events counted where they happen (HTTP requests here; jobs in the worker; incident reports and
  uploads in their views): counters and histograms. With several processes (gunicorn workers, job
  workers) prometheus_client's multiprocess mode adds them up: every process writes its figures to
  files in `PROMETHEUS_MULTIPROC_DIR`, and a scrape of any web process reads them all. That
  variable must be set before the first import of prometheus_client (bin/run and the README's
  deploy do), and the directory emptied when the deployment starts.
* States read from the database at scrape time (queue depth, workers alive, open incidents,
  storage): gauges that are true whichever process is scraped and however many run. Each app
  adds its own in its AppConfig.ready through `register_collector`, so this kernel module never
  imports the apps above it.

Labels are bounded: route patterns (never raw paths), methods, status codes, task paths, queue
names, reasons as typed error codes.

Access: a bearer token (`METRICS_TOKEN`) for Prometheus, or an admin's session; anyone else gets
the usual 401/403 of the error contract. The endpoint is never open to the world.
"""

import hmac
import os
import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.exposition import generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from academy.errors import DomainError, Forbidden

HTTP_REQUESTS = Counter(
    "academy_http_requests_total", "HTTP requests answered, by route pattern", ["route", "method", "status"]
)
HTTP_DURATION = Histogram(
    "academy_http_request_duration_seconds",
    "Time to answer an HTTP request, by route pattern",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
UNMATCHED = "unmatched"  # a path no route matched (404s, scanners): one label value for all

_collectors: list[Collector] = []


def register_collector(collector: Collector) -> None:
    """Add a collector of database-derived figures to every scrape (call from AppConfig.ready)."""
    if not any(type(c) is type(collector) for c in _collectors):
        _collectors.append(collector)


class _ThisProcess(Collector):
    """The figures of this process alone, when there is no multiprocess directory."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def exposition() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        prometheus_multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    for collector in _collectors:
        registry.register(collector)
    return generate_latest(registry)


def _bearer_ok(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    return bool(token) and bool(given) and hmac.compare_digest(given.encode(), token.encode())


def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics: for Prometheus (bearer token) or a signed-in admin."""
    if not _bearer_ok(request):
        user = request.user
        if not user.is_authenticated:
            raise DomainError(
                "not_authenticated",
                "Metrics need a bearer token (METRICS_TOKEN) or an admin's session.",
                401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        if not getattr(user, "is_admin", False):
            raise Forbidden("forbidden", "Metrics are for academy staff and monitoring only.")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Counts and times every request by its route pattern, method and status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        route = match.route if match is not None else UNMATCHED
        method = request.method if request.method in METHODS else "other"
        HTTP_REQUESTS.labels(route=route, method=method, status=str(response.status_code)).inc()
        HTTP_DURATION.labels(route=route, method=method).observe(time.perf_counter() - started)
        return response


View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def count_outcome(done: Counter | None, refused: Counter) -> Callable[[View], View]:
    """Count a view's answers: `done` for a success (if given), `refused` by the typed error's code.

    `refused` has one label, `reason`, whose values are DomainError codes (a fixed set)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                response = view(request, *args, **kwargs)
            except DomainError as refusal:
                refused.labels(reason=refusal.code).inc()
                raise
            if done is not None and response.status_code < 400:
                done.inc()
            return response

        return cast(View, wrapped)

    return decorator
