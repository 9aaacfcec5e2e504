"""A sender refused once is refused again until its allowance is back, before its session, its user
or the counts are read: in a storm, the reports of people over their limit cost no query."""

import pytest
import time_machine
from django.db import connections
from django.test.utils import CaptureQueriesContext

from incidents.models import PendingReport
from incidents.tests.helpers import counted, post_report, report

pytestmark = pytest.mark.django_db


def _queries_of(call):
    """What `call` answered, and how many queries it made on every database."""
    contexts = [CaptureQueriesContext(connections[alias]) for alias in connections]
    for context in contexts:
        context.__enter__()
    try:
        response = call()
    finally:
        for context in contexts:
            context.__exit__(None, None, None)
    return response, sum(len(context.captured_queries) for context in contexts)


@time_machine.travel("2026-11-28 12:00:05Z", tick=False)
def test_a_session_over_its_limit_is_refused_again_without_a_query(admin_client, parent_client, settings):
    settings.INCIDENT_RATE_LIMIT_PER_MINUTE = 2
    statuses = [post_report(admin_client, report(), group=False).status_code for _ in range(3)]
    assert statuses == [202, 202, 429]

    again, queries = _queries_of(lambda: post_report(admin_client, report(), group=False))
    assert again.status_code == 429
    assert again["Retry-After"] == "30"  # 2 a minute: one is due again in 30 s
    assert again.json()["error"]["code"] == "rate_limited"
    assert queries == 0
    # Only that person: another one behind the same address still reports.
    assert post_report(parent_client, report(), group=False).status_code == 202
    assert PendingReport.objects.count() == 3
    assert sorted(counted("user:").values()) == [1, 2]


@time_machine.travel("2026-11-28 12:00:05Z", tick=False)
def test_an_address_over_its_limit_is_refused_for_everyone_behind_it_without_a_query(
    admin_client, parent_client, settings
):
    settings.INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE = 2
    statuses = [post_report(c, report(), group=False).status_code for c in (admin_client, parent_client) * 2]
    assert statuses == [202, 202, 429, 429]

    again, queries = _queries_of(lambda: post_report(parent_client, report(), group=False))
    assert (again.status_code, queries) == (429, 0)
    assert list(counted("ip:").values()) == [2]


def test_the_sender_is_accepted_again_once_its_allowance_is_back(admin_client, settings):
    settings.INCIDENT_RATE_LIMIT_PER_MINUTE = 1
    with time_machine.travel("2026-11-28 12:00:58Z", tick=False):
        statuses = [post_report(admin_client, report(), group=False).status_code for _ in range(3)]
    with time_machine.travel("2026-11-28 12:01:57Z", tick=False):  # a second early: still refused
        statuses.append(post_report(admin_client, report(), group=False).status_code)
    with time_machine.travel("2026-11-28 12:01:58Z", tick=False):
        statuses.append(post_report(admin_client, report(), group=False).status_code)
    assert statuses == [202, 429, 429, 429, 202]


@time_machine.travel("2026-11-28 12:00:05Z", tick=False)
def test_another_session_cookie_is_not_refused_early_and_is_checked_as_usual(admin_client, admin, settings):
    settings.INCIDENT_RATE_LIMIT_PER_MINUTE = 1
    assert [post_report(admin_client, report(), group=False).status_code for _ in range(2)] == [202, 429]

    # A cookie no refusal named (a forged one) goes through the session and the counts.
    admin_client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session-of-anyone"
    forged, queries = _queries_of(lambda: post_report(admin_client, report(), group=False))
    assert forged.status_code == 403
    assert queries > 0
    # The same person in a new session: refused by the counts, which are per user.
    admin_client.force_login(admin)
    assert post_report(admin_client, report(), group=False).status_code == 429
    assert PendingReport.objects.count() == 1


@time_machine.travel("2026-11-28 12:00:05Z", tick=False)
def test_the_log_keeps_a_senders_first_refusal_not_each_repeat(admin_client, settings, caplog):
    settings.INCIDENT_RATE_LIMIT_PER_MINUTE = 1
    with caplog.at_level("WARNING", logger="django.request"):
        statuses = [post_report(admin_client, report(), group=False).status_code for _ in range(5)]
    assert statuses == [202, 429, 429, 429, 429]
    assert [r.getMessage() for r in caplog.records if r.name == "django.request"] == [
        "Too Many Requests: /api/incidents"
    ]
