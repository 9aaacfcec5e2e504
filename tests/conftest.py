"""Fixtures for the cross-app tests in tests/: the real worker processes of the jobs tests."""

from jobs.tests.conftest import start_worker, worker_env  # noqa: F401 - fixtures, used by name
