"""Ingest limits behind a proxy: each client address has its own limit, and only trusted hops
may say what that address is."""

import ipaddress

import pytest
import time_machine

from incidents.models import Occurrence
from incidents.tests.helpers import counted, post_report, report

pytestmark = pytest.mark.django_db


def _via(address, *, peer):
    return {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": address}


@pytest.fixture
def proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXY_NETWORKS = (ipaddress.ip_network("10.0.0.0/8"),)
    settings.INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE = 3


@time_machine.travel("2026-11-28 12:00:05Z", tick=False)
def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(admin_client, parent_client, proxy):
    first = [post_report(admin_client, report(), **_via("198.51.100.7", peer="10.0.0.2")) for _ in range(4)]
    second = [post_report(parent_client, report(), **_via("198.51.100.8", peer="10.0.0.2")) for _ in range(3)]
    assert [r.status_code for r in first] == [202, 202, 202, 429]
    assert [r.status_code for r in second] == [202] * 3
    assert counted("ip:") == {"ip:198.51.100.7": 3, "ip:198.51.100.8": 3}
    assert set(Occurrence.objects.values_list("client_ip", flat=True)) == {"198.51.100.7", "198.51.100.8"}


@time_machine.travel("2026-11-28 12:00:05Z", tick=False)
def test_a_forged_header_from_an_untrusted_peer_counts_against_the_peer(admin_client, parent_client, proxy):
    statuses = [
        post_report(client, report(), **_via(f"198.51.100.{n}", peer="203.0.113.9")).status_code
        for n, client in enumerate((admin_client, parent_client) * 2)
    ]
    assert statuses == [202, 202, 202, 429]
    assert list(counted("ip:")) == ["ip:203.0.113.9"]
    assert set(Occurrence.objects.values_list("client_ip", flat=True)) == {"203.0.113.9"}


@time_machine.travel("2026-11-28 12:00:05Z", tick=False)
def test_without_a_proxy_setting_the_header_is_ignored(admin_client, settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_NETWORKS = 0, ()
    settings.INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE = 2
    statuses = [
        post_report(admin_client, report(), **_via(f"198.51.100.{n}", peer="10.0.0.2")).status_code
        for n in range(3)
    ]
    assert statuses == [202, 202, 429]
