"""Grouping by fingerprint, regressions, and the text clean-up grouping relies on."""

import pytest
import time_machine

from audit.models import AuditEvent
from incidents.fingerprints import normalise_message, route_for_url
from incidents.models import Incident, Status
from incidents.scrub import cap_payload, scrub_text
from incidents.status_changes import incident_resolve
from incidents.tests.helpers import record

pytestmark = pytest.mark.django_db


def test_same_route_and_error_with_different_entity_ids_is_one_incident():
    first = record(entities=(("student", "7"),), backend_message="Cannot archive student 7: 3 lessons ahead.")
    second = record(
        entities=(("student", "8"),),
        url="/admin/academic/students/8/archive/",
        backend_message="Cannot archive student 8: 11 lessons ahead.",
    )
    assert first.incident_id == second.incident_id
    incident = Incident.objects.get()
    assert incident.occurrence_count == 2
    assert set(incident.entity_refs.values_list("entity_id", flat=True)) == {"7", "8"}


@pytest.mark.parametrize(
    "change",
    [{"status_code": 500}, {"error_code": "other"}, {"route": "/elsewhere/"}, {"source": "job"}],
)
def test_a_different_status_code_route_or_source_is_another_incident(change):
    record()
    record(**change)
    assert Incident.objects.count() == 2


def test_a_new_occurrence_after_resolve_reopens_it_as_a_regression(admin):
    with time_machine.travel("2026-11-20 10:00Z", tick=False):
        incident = record(status_code=500).incident
        incident_resolve(actor=admin, incident=incident, comment="Fixed in 1.2")
    with time_machine.travel("2026-11-21 10:00Z", tick=False):
        record(status_code=500)
    incident.refresh_from_db()
    assert incident.status == Status.OPEN
    assert incident.is_regression
    assert incident.regressed_at.isoformat().startswith("2026-11-21T10:00")
    change = incident.history.first()
    assert change.regression and change.actor is None and change.from_status == Status.RESOLVED
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "incident.resolve",
        "incident.regression",
    ]


def test_an_ignored_incident_stays_ignored(admin):
    from incidents.status_changes import incident_ignore

    incident = record().incident
    incident_ignore(actor=admin, incident=incident, comment="known noise")
    record()
    incident.refresh_from_db()
    assert incident.status == Status.IGNORED and incident.occurrence_count == 2


def test_normalise_message_strips_ids_numbers_uuids_and_emails():
    a = normalise_message(
        "User ana@x.org cannot open 0b4f3c2e-1d2a-4c3b-9e8f-1234567890ab item 42 'Sam Smith'"
    )
    b = normalise_message(
        "User bo@y.com cannot open 7a4f3c2e-1d2a-4c3b-9e8f-1234567890cd item 7 'Olive Other'"
    )
    assert a == b == "User <email> cannot open <uuid> item <n> <str>"


def test_route_for_url_uses_the_url_pattern():
    assert route_for_url("/admin/academic/students/12/") == "/admin/academic/students/<int:student_id>/"
    assert route_for_url("http://testserver/admin/academic/students/12/", "testserver").endswith(
        "<int:student_id>/"
    )
    assert route_for_url("https://bucket.example.com/uploads/123/file", "testserver") == (
        "bucket.example.com/uploads/<id>/file"
    )


def test_scrub_text_masks_secrets_and_cards_but_not_plain_numbers():
    text = "password=hunter2&next=/x Authorization: Bearer abcdefghijkl card 4111-1111-1111-1111 order 1234567890123"
    scrubbed = scrub_text(text)
    assert "hunter2" not in scrubbed and "abcdefghijkl" not in scrubbed
    assert "[card]" in scrubbed and "4111" not in scrubbed
    assert "1234567890123" in scrubbed  # fails the Luhn check: not a card
    assert "next=/x" in scrubbed


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "PASSWD",
        "passphrase",
        "pwd",
        "access_token",
        "Client-Secret",
        "Authorisation",
        "authorization",
        "Set-Cookie",
        "sessionid",
        "csrfmiddlewaretoken",
        "api-key",
        "API_KEY",
        "apikey",
        "private key",
        "credentials",
        "X-Signature",
    ],
)
def test_every_secret_word_is_masked_in_any_case(key):
    assert scrub_text(f"before {key}=s3cr3t-value after") == f"before {key}=[scrubbed] after"


def test_tokens_without_a_key_are_masked():
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXBhcnQ"
    assert scrub_text(f"Basic dXNlcjpwYXNzd29yZA== and {jwt}") == "Basic [scrubbed] and [scrubbed]"


def test_large_payloads_are_capped():
    capped = cap_payload({"data": ["x" * 1000] * 50})
    assert capped["_truncated"] is True and len(capped["preview"]) <= 4096


@pytest.mark.parametrize(
    ("message", "normalised"),
    [
        ("Only MP4 and H264 videos, up to 2 GB.", "Only MP4 and H264 videos, up to 2 GB."),
        ("File 12 is 1.5 MB over the 50% limit", "File <n> is 1.5 MB over the 50% limit"),
        ("Cannot delete schedule 7: 3 lessons ahead", "Cannot delete schedule <n>: <n> lessons ahead"),
        (
            "See /admin/academic/students/7/edit/ for ada@example.com",
            "See /admin/academic/students/<n>/edit/ for <email>",
        ),
        ("utf8 decode failed after 30 s at id=42", "utf8 decode failed after 30 s at id=<n>"),
        ("Job 3f2b8c1e-1d2a-4b1c-9d7e-5a6b7c8d9e0f lost", "Job <uuid> lost"),
    ],
)
def test_normalisation_strips_what_varies_never_words_or_units(message, normalised):
    from incidents.fingerprints import normalise_message

    assert normalise_message(message) == normalised


def test_titles_are_the_first_sentence_or_about_a_hundred_characters():
    from incidents.capture import headline

    assert (
        headline("A lesson must end after it starts. Check the times.")
        == "A lesson must end after it starts."
    )
    long = "word " * 60
    title = headline(long)
    assert len(title) <= 100 and title.endswith("word…")
    assert headline("Version 1.2 is out") == "Version 1.2 is out"


def test_an_incident_keeps_the_latest_real_message(admin):
    first = record(backend_message="Cannot archive student 7: 3 lessons ahead.").incident
    record(backend_message="Cannot archive student 9: 5 lessons ahead.")
    first.refresh_from_db()
    assert first.occurrence_count == 2
    assert first.title == "Cannot archive student 7: 3 lessons ahead."
    assert first.latest_message == "Cannot archive student 9: 5 lessons ahead."


def test_a_value_longer_than_its_column_is_cut_visibly_never_silently(admin):
    """Issue 17: grouping's INSERTs cast to `varchar(n)[]` on PostgreSQL, which cut an over-long
    value silently. Recording cuts it itself, visibly ("…"), on both databases; a whole batch
    (several rows: PostgreSQL's UNNEST insert) and a single record alike."""
    from django.db import transaction
    from django.utils import timezone

    from incidents.capture import Capture
    from incidents.grouping import browser_reports_record
    from incidents.models import Occurrence
    from incidents.recording import OccurrenceToRecord

    long_route, long_agent = "/" + "r" * 399, "Agent/" + "a" * 600
    batch = [
        OccurrenceToRecord(
            actor=admin,
            at=timezone.now(),
            capture=Capture(
                source="browser", route=long_route, ui_message=f"boom {n}", user_agent=long_agent
            ),
        )
        for n in range(3)
    ]
    with transaction.atomic():
        browser_reports_record(batch)
    record(route=long_route, backend_message="boom")
    assert Occurrence.objects.count() == 4
    for occurrence in Occurrence.objects.select_related("incident"):
        assert occurrence.route == occurrence.incident.route == long_route[:299] + "…"
        if occurrence.source == "browser":
            assert occurrence.user_agent == long_agent[:499] + "…"


def test_a_batch_comes_back_in_its_order_with_the_ids_incidents_and_values_stored(admin):
    """Recording converts each occurrence's values before its write transaction and inserts the
    batch in one statement (several rows: PostgreSQL's UNNEST): each returned occurrence is the
    row stored for it, JSON, times and addresses included."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from incidents.capture import Capture
    from incidents.models import Occurrence
    from incidents.recording import OccurrenceToRecord, record_occurrences

    start = timezone.now()
    batch = [
        OccurrenceToRecord(
            actor=admin,
            at=start + timedelta(seconds=n),
            capture=Capture(
                source="browser",
                route=f"/portal/{n % 2}/",
                ui_message=f"boom {n}",
                breadcrumbs=[f"click {n}"],
                browser_payload={"kind": "http", "n": n},
                client_ip="198.51.100.7",
                request_id=f"req-{n}",
            ),
        ).anchored()
        for n in range(5)
    ]
    with transaction.atomic():
        recorded = record_occurrences(batch)
    assert [o.ui_message for o in recorded] == [f"boom {n}" for n in range(5)]
    assert len({o.incident_id for o in recorded}) == 2
    for n, occurrence in enumerate(recorded):
        stored = Occurrence.objects.get(pk=occurrence.pk)
        assert (stored.ui_message, stored.request_id, stored.route) == (
            f"boom {n}",
            f"req-{n}",
            f"/portal/{n % 2}/",
        )
        assert stored.incident_id == occurrence.incident_id
        assert stored.incident.route == stored.route
        assert (stored.breadcrumbs, stored.browser_payload) == ([f"click {n}"], {"kind": "http", "n": n})
        assert (stored.browser_reported_at, stored.client_ip) == (
            start + timedelta(seconds=n),
            "198.51.100.7",
        )
    assert Incident.objects.get(route="/portal/0/").occurrence_count == 3
