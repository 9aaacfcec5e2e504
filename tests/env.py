"""Loaded by pytest (`-p tests.env`) before Django's settings are read.

Settings come from the environment at import, and middleware (and the live server of the
browser tests) is built from them, so test defaults must be in place first. Production
defaults stay strict; tests speak plain HTTP and need no real secret.
"""

import os

os.environ.setdefault("SECRET_KEY", "insecure-test-only-secret-key-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("EMAIL_BACKEND", "locmem")

# SQLite tests use a file database (not shared-cache memory) so that worker processes and
# threads started by tests (jobs: real workers, kill -9, concurrent dispatch) see the same data.
# One file per pytest process, under this checkout's var/.
_VAR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var")
os.makedirs(_VAR, exist_ok=True)
os.environ.setdefault("SQLITE_TEST_NAME", os.path.join(_VAR, f"test-{os.getpid()}.sqlite3"))

# Metrics in multiprocess mode, as deployed: this process and the workers tests start write their
# figures to one fresh directory per pytest process, so /metrics adds them up (academy/metrics.py).
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    import shutil

    _METRICS = os.path.join(_VAR, f"metrics-{os.getpid()}")
    shutil.rmtree(_METRICS, ignore_errors=True)
    os.makedirs(_METRICS)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _METRICS
