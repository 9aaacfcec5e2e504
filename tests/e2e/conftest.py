"""Browser tests: Playwright for Python driving the system Chromium (Debian package), never a
downloaded browser. Without Chromium they skip with a reason, unless REQUIRE_BROWSER=1 (CI),
where a missing browser fails the run."""

import os
import shutil
import threading
import time
from collections.abc import Iterator

import pytest
from django.core.signals import request_finished, request_started

# Playwright's sync API runs an event loop in this thread; the Django ORM calls our tests make
# beside it are ordinary blocking calls, which is what we want here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        if REQUIRED:
            pytest.fail("REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)")
        pytest.skip("no chromium on PATH: install the Debian package 'chromium' to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


class RequestsInFlight:
    """Requests the live server (a thread of this process) is handling, and when the last ended."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.last_end = time.monotonic()

    def started(self, **kwargs: object) -> None:
        with self.lock:
            self.count += 1

    def finished(self, **kwargs: object) -> None:
        with self.lock:
            self.count = max(0, self.count - 1)
            self.last_end = time.monotonic()

    def wait_until_quiet(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.count == 0 and time.monotonic() - self.last_end >= quiet:
                    return
            time.sleep(0.05)


@pytest.fixture(scope="session")
def requests_in_flight() -> Iterator[RequestsInFlight]:
    tracker = RequestsInFlight()
    request_started.connect(tracker.started, dispatch_uid="e2e-in-flight-started")
    request_finished.connect(tracker.finished, dispatch_uid="e2e-in-flight-finished")
    yield tracker
    request_started.disconnect(dispatch_uid="e2e-in-flight-started")
    request_finished.disconnect(dispatch_uid="e2e-in-flight-finished")


@pytest.fixture
def page(browser, live_server, requests_in_flight) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    yield page
    context.close()
    # A closing page still talks to the server: the incident reporter sends what it holds with
    # sendBeacon. Let those requests end before the test's data is flushed: a flush (TRUNCATE)
    # beside a request writing to two tables can deadlock on PostgreSQL.
    requests_in_flight.wait_until_quiet()


def sign_in(page, user, password: str | None = None):
    """Log `user` in on `page` through the real form, as a person would (any viewport)."""
    from conftest import PASSWORD

    page.goto("/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password or PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
    return page


@pytest.fixture
def login(page):
    """login(user): log in through the real form, as a person would."""
    return lambda user, password=None: sign_in(page, user, password)
