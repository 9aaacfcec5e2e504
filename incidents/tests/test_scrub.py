"""The scrubber on what URLs and text carry: tokens in link paths, characters a database refuses."""

import json

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from incidents.models import Occurrence
from incidents.scrub import MASK, cap_payload, clean, scrub_text
from incidents.tests.helpers import post_report, report


def _link(name: str, user) -> tuple[str, str]:
    """A real invitation or password-reset path for `user`, and its token."""
    token = default_token_generator.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(name, kwargs={"uidb64": uid, "token": token}), token


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["accounts:invite", "accounts:password_reset_confirm"])
def test_tokens_in_invitation_and_reset_paths_are_masked(parent, name):
    path, token = _link(name, parent)
    uid = path.strip("/").split("/")[-2]
    for text in (
        f"https://academy.example.com{path}",
        f"{path}?next=/portal/",
        f"GET {path} failed",
        f"Referer: http://testserver{path}",
    ):
        scrubbed = scrub_text(text)
        assert token not in scrubbed, text
        assert f"/{uid}/{MASK}/" in scrubbed, scrubbed
    # The step after the link holds no token: it stays as it is.
    after = path.replace(token, "set-password")
    assert scrub_text(after) == after


def test_a_token_shaped_path_segment_is_masked_on_any_route():
    text = "https://academy.example.com/some/new-link/MQ/d1m3kq-0c3f9a6e1b2d4f5a6c7b8e9d0a1f2e3b/"
    assert "0c3f9a6e1b2d4f5a6c7b8e9d0a1f2e3b" not in scrub_text(text)


def test_ids_and_ordinary_paths_are_left_alone():
    for text in (
        "/admin/academic/students/42/edit/",
        "/admin/insights/jobs/6f1c2b0e-8d4a-4c1b-9a77-1e2d3c4b5a69/",
        "request 661ef79dc9cf451f85c4ab63d9ad266c failed",
        "/password-reset/sent/",
        "/invite/done/",
    ):
        assert scrub_text(text) == text


@pytest.mark.django_db
def test_a_browser_report_from_an_invitation_page_keeps_no_token(parent_client, parent):
    path, token = _link("accounts:invite", parent)
    body = report(
        page_url=f"http://testserver{path}",
        request={"method": "POST", "url": path, "status": 400},
        breadcrumbs=[f"12:00:00 navigate {path}"],
    )
    assert post_report(parent_client, body).status_code == 202
    occurrence = Occurrence.objects.get()
    stored = json.dumps(
        [occurrence.page_url, occurrence.url, occurrence.breadcrumbs, occurrence.browser_payload]
    )
    assert token not in stored
    assert MASK in occurrence.page_url and MASK in occurrence.url


@pytest.mark.django_db
def test_a_backend_record_of_a_reset_link_keeps_no_token(parent):
    path, token = _link("accounts:password_reset_confirm", parent)
    client = Client(enforce_csrf_checks=True)
    client.force_login(parent)
    # A form post without its CSRF token: a 403 the backend records as an occurrence.
    response = client.post(path, {"new_password1": "x"}, HTTP_REFERER=f"http://testserver{path}")
    assert response.status_code == 403
    occurrence = Occurrence.objects.get()
    assert token not in json.dumps([occurrence.url, occurrence.request_context])
    assert MASK in occurrence.url


def test_nul_characters_never_reach_the_database():
    # PostgreSQL's text and jsonb cannot hold U+0000: a NUL in a report or a query string was a
    # DataError while recording the incident.
    assert "\x00" not in clean("before\x00after")
    payload = cap_payload({"q\x00": ["\x00", {"k": "a\x00b"}]})
    assert "\\u0000" not in json.dumps(payload)


@pytest.mark.django_db
def test_a_report_with_nul_characters_is_accepted_and_stored(admin_client):
    body = report(ui_message="broke\x00here", response={"error": {"code": "x\x00", "message": "m\x00"}})
    assert post_report(admin_client, body).status_code == 202
    occurrence = Occurrence.objects.get()
    assert "\x00" not in occurrence.ui_message and "\\u0000" not in json.dumps(occurrence.browser_payload)
