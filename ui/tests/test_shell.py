"""The app's shell around everything: the favicon, and error pages that keep the navigation."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_is_not_a_404(anon_client):
    response = anon_client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/ui/favicon.svg"


def test_error_pages_keep_the_navigation_for_a_signed_in_person(admin_client, parent_client, anon_client):
    missing = admin_client.get("/admin/academic/students/999999/")
    assert missing.status_code == 404
    html = missing.content.decode()
    assert 'aria-label="Main"' in html and reverse("academics:student_list") in html  # the admin's menu
    refused = parent_client.get("/admin/")
    assert refused.status_code == 403
    assert (
        reverse("portal:home") in refused.content.decode() and 'aria-label="Main"' in refused.content.decode()
    )
    assert 'aria-label="Main"' not in anon_client.get("/no-such-page/").content.decode()
