"""The web process's entry point."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_loaded_app_is_kept_out_of_the_cycle_collector():
    # In a process of its own: freezing is for the life of the process.
    script = (
        "import gc, time; import academy.wsgi; frozen = gc.get_freeze_count(); "
        "t = time.perf_counter(); gc.collect(); print(frozen, time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(out[0]) > 50_000  # Django and the apps: the objects a full collection would walk
    assert float(out[1]) < 0.02


def test_known_senders_of_incident_reports_are_refused_before_django():
    out = subprocess.run(
        [sys.executable, "-c", "import academy.wsgi; print(academy.wsgi.application.__qualname__)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == "refusing_known_senders.<locals>.application"  # incidents/wsgi.py
