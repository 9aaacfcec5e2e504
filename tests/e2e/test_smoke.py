"""Smoke test: the demo admin opens every navigation entry; a customer sees only own students."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from ui.nav import admin_navigation

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_opens_every_navigation_entry_and_customer_sees_own_students(page, login):
    call_command("seed_demo", stdout=io.StringIO())
    admin = User.objects.get(email="admin@demo.academy")
    login(admin, "demo-pass-2026")
    assert page.url.endswith("/admin/academic/students/")

    entries = [item for section in admin_navigation("") for item in section["items"]]  # type: ignore[attr-defined]
    assert len(entries) >= 3
    for entry in entries:
        response = page.goto(entry["url"])
        assert response is not None and response.status == 200, entry
        assert page.locator("h1").first.is_visible()
        link = page.locator(f'nav[aria-label="Main"] a[href="{entry["url"]}"]')
        assert link.get_attribute("aria-current") == "page"
    assert page.console_errors == []

    page.get_by_role("button", name="Log out").click()
    login(User.objects.get(email="parent@demo.academy"), "demo-pass-2026")
    assert page.url.endswith("/portal/")
    names = page.locator(".child-card h2").all_inner_texts()  # a card per child
    assert sorted(names) == ["Alice Andrews", "Ben Andrews"]
    assert "Chloe Brown" not in page.content()
    response = page.goto("/admin/academic/students/")
    assert response is not None and response.status == 403
