"""A real Prometheus server scrapes /metrics and its figures agree with the database.

Prometheus (Debian package `prometheus`) runs on loopback, scraping the live server every second
with the bearer token; a real worker process, started before the jobs exist, runs them and counts
them in its own process; the test reads the figures back through Prometheus's HTTP API. Skipped
where Prometheus is missing, unless REQUIRE_PROMETHEUS=1 (CI).
"""

import contextlib
import json
import os
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from bench.ports import free_ports
from jobs.dispatch import dispatch
from jobs.models import WorkerProcess
from jobs.tests import sample_tasks as t
from jobs.tests.conftest import wait_for
from media.models import MediaItem, MediaVariant

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "ops" / "prometheus" / "alerts.yml"
TOKEN = "prometheus-test-token-0123456789"
PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")
REQUIRED = os.environ.get("REQUIRE_PROMETHEUS") == "1"


def need(binary: str | None, name: str) -> str:
    if binary is None:
        if REQUIRED:
            pytest.fail(f"REQUIRE_PROMETHEUS=1 but no {name} on PATH (apt-get install prometheus)")
        pytest.skip(f"no {name} on PATH: install the Debian package 'prometheus' to run this test")
    return binary


class Prometheus:
    def __init__(self, url: str) -> None:
        self.url = url

    def query(self, expr: str) -> list[dict]:
        with urllib.request.urlopen(
            f"{self.url}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
        ) as r:
            body = json.load(r)
        assert body["status"] == "success", body
        return body["data"]["result"]

    def value(self, expr: str) -> float | None:
        result = self.query(expr)
        return float(result[0]["value"][1]) if result else None


@pytest.fixture
def prometheus(live_server, settings, tmp_path) -> Iterator[Prometheus]:
    binary = need(PROMETHEUS, "prometheus")
    settings.METRICS_TOKEN = TOKEN
    target = urllib.parse.urlsplit(live_server.url).netloc
    config = tmp_path / "prometheus.yml"
    config.write_text(
        json.dumps(  # JSON is YAML
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [str(RULES)],
                "scrape_configs": [
                    {
                        "job_name": "academy",
                        "metrics_path": "/metrics",
                        "authorization": {"type": "Bearer", "credentials": TOKEN},
                        "static_configs": [{"targets": [target]}],
                    }
                ],
            }
        )
    )
    (port,) = free_ports(1)  # not bind-to-0: see bench/ports.py
    with open(tmp_path / "prometheus.log", "w") as log:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = Prometheus(f"http://127.0.0.1:{port}")
        try:

            def ready() -> bool:
                try:
                    with urllib.request.urlopen(f"{server.url}/-/ready", timeout=1) as r:
                        return r.status == 200
                except OSError:
                    return False

            wait_for(ready, timeout=30, what="Prometheus to start")
            yield server
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_prometheus_scrapes_figures_that_agree_with_the_database(prometheus, start_worker, parent, student):
    worker = start_worker("--queues", "default")
    wait_for(WorkerProcess.objects.exists, what="the worker to register")
    jobs = [dispatch(t.metered, n).job_id for n in range(5)]
    with transaction.atomic():  # three jobs in a queue no worker serves: they wait
        waiting = [dispatch(t.noop).job_id for _ in range(3)]
        DBTaskResult.objects.filter(pk__in=waiting).update(queue_name="backlog")
    item = MediaItem.objects.create(kind="video", uploader=parent, original_name="v.mp4", size_bytes=12345)
    MediaVariant.objects.create(item=item, role="original", storage_key="k/original", size_bytes=12345)
    wait_for(
        lambda: DBTaskResult.objects.filter(pk__in=jobs, status="SUCCESSFUL").count() == 5,
        what="the worker to run the jobs",
    )

    row = WorkerProcess.objects.get()
    metered = 'task="jobs.tests.sample_tasks.metered"'
    expected = {
        'up{job="academy"}': 1,
        f'sum(academy_jobs_finished_total{{{metered},outcome="succeeded"}})': 5,
        f"sum(academy_job_duration_seconds_count{{{metered}}})": 5,
        'academy_jobs_ready{queue="backlog"}': DBTaskResult.objects.filter(queue_name="backlog").count(),
        f'academy_workers_alive{{host="{row.host}"}}': 1,
        f'academy_worker_memory_limit_bytes{{host="{row.host}"}}': row.effective_limit,
        'academy_storage_bytes{kind="original"}': 12345,
        # Prometheus's own scrapes, counted by the web process (each counts in the next one)
        'clamp_max(sum(academy_http_requests_total{route="metrics",status="200"}), 1)': 1,
    }

    def figures() -> dict[str, float | None]:
        return {expr: prometheus.value(expr) for expr in expected}

    with contextlib.suppress(AssertionError):
        wait_for(lambda: figures() == expected, timeout=30, what="Prometheus to scrape the figures")
    assert figures() == expected
    # the alerting rules loaded and evaluate (none of them fires on a healthy test deployment)
    rules = json.load(urllib.request.urlopen(f"{prometheus.url}/api/v1/rules"))["data"]["groups"]
    assert {rule["name"] for group in rules for rule in group["rules"]} >= {
        "AcademyNoWorkers",
        "AcademyJobsFailing",
    }
    assert worker.poll() is None


def test_the_alerting_rules_are_valid():
    promtool = need(PROMTOOL, "promtool")
    checked = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout
