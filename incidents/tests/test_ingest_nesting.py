"""Deeply nested JSON to /api/incidents: a typed 400 that counts against the limit, never a 500."""

from urllib.parse import urlencode

import pytest
import time_machine

from incidents.models import Occurrence
from incidents.tests.helpers import counted, post_report, report

pytestmark = pytest.mark.django_db

DEEP = "[" * 60_000  # under the 64 KiB size limit
DEEP_FORM = "[" * 20_000  # "%5B" each, in a form


@time_machine.travel("2026-11-28 12:00:05Z", tick=False)
def test_deeply_nested_json_is_a_typed_400_counted_against_the_limit(admin_client, settings):
    settings.INCIDENT_RATE_LIMIT_PER_MINUTE = 2
    responses = [post_report(admin_client, DEEP) for _ in range(3)]
    assert [r.status_code for r in responses] == [400, 400, 429]
    error = responses[0].json()["error"]
    assert error["code"] == "invalid_json"
    assert error["details"]["fields"] == {"body": "nested too deeply"}
    assert list(counted("user:").values()) == [2]
    assert not Occurrence.objects.exists()


def test_deeply_nested_json_in_a_beacon_form_is_a_typed_400(admin_client):
    response = admin_client.post(
        "/api/incidents",
        urlencode({"report": DEEP_FORM}),
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


@pytest.mark.parametrize("depth", [50, 5000])
def test_nesting_json_can_hold_is_accepted_and_stored_capped(admin_client, depth):
    nested = "leaf"
    for _ in range(depth):
        nested = {"inner": nested}
    assert post_report(admin_client, report(response=nested)).status_code == 202
    assert "[too deep]" in str(Occurrence.objects.get().browser_payload)
