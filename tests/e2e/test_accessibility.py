"""Every page passes an automated accessibility audit: axe-core (from the npm registry, see
package.json), injected by Playwright, at desktop and phone width, as each kind of person.

The pages are found by following the links a person can follow, one page per route (the first
link seen to it), so a page added later is audited without a change here. A serious or critical
violation fails the test with the page, the width, the rule and the elements concerned.
"""

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
BLOCKING = {"serious", "critical"}
# Links that are not pages: files, JSON, fragments polled by pages, and leaving the session.
NOT_PAGES = ("/logout/", "/files/", "/api/", "/counts/", "/healthz")
MAX_PAGES = 60


def route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


def crawl(page, start: str, within: tuple[str, ...]) -> dict[str, str]:
    """One URL per route reachable by links from `start`, staying under the `within` paths."""
    found: dict[str, str] = {}
    queue = [start]
    while queue and len(found) < MAX_PAGES:
        url = queue.pop(0)
        route = route_of(urlsplit(url).path)
        if route is None or route in found:
            continue
        response = page.goto(url)
        if (
            response is None
            or response.status != 200
            or "text/html" not in response.headers.get("content-type", "")
        ):
            continue
        found[route] = url
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith(within):
                continue
            if any(marker in parts.path for marker in NOT_PAGES):
                continue
            if route_of(parts.path) not in found:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def audit(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    problems = []
    for violation in result["violations"]:
        if violation["impact"] in BLOCKING:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            problems.append(f"{violation['impact']} {violation['id']}: {violation['help']} [{targets}]")
    return problems


def audit_all(
    browser, live_server, login_as, start: str, within: tuple[str, ...], at_least: int
) -> list[str]:
    failures = []
    for width_name, viewport in WIDTHS.items():
        # bypass_csp: the page's CSP (rightly) refuses the injected audit script
        context = browser.new_context(base_url=live_server.url, viewport=viewport, bypass_csp=True)
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            if login_as is not None:
                page.goto("/login/")
                page.get_by_label("Email").fill(login_as.email)
                page.get_by_label("Password").fill("demo-pass-2026")
                page.get_by_role("button", name="Log in").click()
                page.wait_for_load_state("networkidle")
            pages = crawl(page, start, within)
            assert len(pages) >= at_least, f"only {sorted(pages)} found from {start}"
            for route, url in pages.items():
                failures += [f"{width_name} {url} ({route}): {problem}" for problem in audit(page, url)]
        finally:
            context.close()
    return failures


@pytest.fixture
def demo(requests_in_flight):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does)")
    call_command("seed_demo", stdout=io.StringIO())
    yield
    requests_in_flight.wait_until_quiet()


@pytest.mark.slow
def test_every_admin_page_passes_the_audit(browser, live_server, demo):
    admin = User.objects.get(email="admin@demo.academy")
    failures = audit_all(browser, live_server, admin, "/admin/", ("/admin/",), at_least=20)
    assert failures == [], "\n".join(failures)


@pytest.mark.slow
def test_every_portal_page_passes_the_audit(browser, live_server, demo):
    parent = User.objects.get(email="parent@demo.academy")
    failures = audit_all(browser, live_server, parent, "/portal/", ("/portal/", "/account/"), at_least=4)
    assert failures == [], "\n".join(failures)


def test_the_sign_in_pages_pass_the_audit(browser, live_server, demo):
    failures = audit_all(browser, live_server, None, "/login/", ("/login/", "/password-reset/"), at_least=2)
    assert failures == [], "\n".join(failures)
