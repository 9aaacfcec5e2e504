"""Query-string values: strict parsing, and NUL refused for every page."""

from datetime import date

import pytest

from academy.query import LATEST, parse_date, parse_int


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        (" 2026-12-01 ", date(2026, 12, 1)),
        ("2026-02-30", None),
        ("9999-12-31", None),
        ("0001-01-01", None),
        ("20261201", None),  # date.fromisoformat takes it; a filter field never sends it
        ("2026-W49-2", None),
        ("\u0662\u0660\u0662\u0666-\u0661\u0662-\u0660\u0661", None),  # Arabic-Indic digits
        ("", None),
        (None, None),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


def test_the_latest_date_can_still_step_a_fortnight():
    from datetime import timedelta

    assert parse_date(LATEST.isoformat()) + timedelta(days=14)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("42", 42), ("²", None), ("٣", None), ("-1", None), ("1e3", None), ("9" * 30, None), ("", None)],
)
def test_parse_int(raw, expected):
    assert parse_int(raw) == expected


def test_parse_int_bounds():
    assert parse_int("99", minimum=100, maximum=599) is None
    assert parse_int("404", minimum=100, maximum=599) == 404


@pytest.mark.django_db
def test_nul_in_any_query_string_is_a_typed_400(admin_client, anon_client):
    response = admin_client.get("/admin/academic/students/", {"q": "a\x00b"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_query"
    assert anon_client.get("/login/", {"next": "\x00"}).status_code == 400
    assert admin_client.get("/admin/academic/students/", {"q": "a b"}).status_code == 200
