"""Password reset is throttled per email and per client address: each request sends an email."""

import pytest
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/password-reset/"


def _ask(client, email, **extra):
    return client.post(URL, {"email": email}, **extra)


def test_reset_emails_for_one_address_are_throttled(parent, settings):
    settings.PASSWORD_RESET_THROTTLE_ATTEMPTS = 3
    client = Client()
    for _ in range(3):
        assert _ask(client, parent.email).status_code == 302
    assert len(mail.outbox) == 3
    refused = _ask(Client(), parent.email.upper(), REMOTE_ADDR="198.51.100.20")  # any case, any address
    assert refused.status_code == 429
    assert len(mail.outbox) == 3
    # The refusal is beside the field, with what the person typed kept.
    content = refused.content.decode()
    assert "Too many reset links were asked for" in content
    assert 'class="field has-error"' in content and parent.email.upper() in content
    assert "wait an hour" in content


def test_an_unknown_email_is_throttled_alike(db, settings):
    # Otherwise the 429 would tell which emails have an account.
    settings.PASSWORD_RESET_THROTTLE_ATTEMPTS = 2
    client = Client()
    assert [_ask(client, "nobody@example.test").status_code for _ in range(3)] == [302, 302, 429]


def test_one_client_address_cannot_send_to_many_emails(parent, other_parent, settings):
    settings.PASSWORD_RESET_THROTTLE_ATTEMPTS = 1  # the per-address limit is 4 requests
    client = Client()
    for n in range(3):
        _ask(client, f"someone{n}@example.test")
    assert _ask(client, parent.email).status_code == 302
    assert _ask(client, other_parent.email).status_code == 429
    assert [m.to for m in mail.outbox] == [[parent.email]]
    # Someone else, at another address, is not held up.
    assert _ask(Client(), other_parent.email, REMOTE_ADDR="198.51.100.30").status_code == 302


def test_the_window_ends(parent, settings):
    import time_machine

    settings.PASSWORD_RESET_THROTTLE_ATTEMPTS = 1
    settings.PASSWORD_RESET_THROTTLE_WINDOW_SECONDS = 600
    with time_machine.travel("2026-11-28 12:00:00Z", tick=False):
        assert [_ask(Client(), parent.email).status_code for _ in range(2)] == [302, 429]
    with time_machine.travel("2026-11-28 12:10:01Z", tick=False):
        assert _ask(Client(), parent.email).status_code == 302
