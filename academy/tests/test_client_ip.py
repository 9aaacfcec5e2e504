"""The client's address behind proxies: X-Forwarded-For counts only through trusted hops."""

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from academy.client import client_ip
from academy.env import Env


def _request(remote="203.0.113.9", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def no_proxy(settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_NETWORKS = 0, ()


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_NETWORKS = 1, ()


@pytest.fixture
def proxy_networks(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXY_NETWORKS = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))


def test_without_proxies_the_header_is_ignored(no_proxy):
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
    assert client_ip(_request("203.0.113.9")) == "203.0.113.9"


def test_one_proxy_takes_the_address_it_appended(one_proxy):
    assert client_ip(_request("10.0.0.2", "198.51.100.7")) == "198.51.100.7"
    # A client's own header comes first; the proxy appends the address it really saw.
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    # No header (the request did not come through the proxy), or garbage where the address goes.
    assert client_ip(_request("10.0.0.2")) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2", "1.2.3.4, not-an-ip")) == "10.0.0.2"


def test_two_proxies(settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_NETWORKS = 2, ()
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.9")) == "198.51.100.7"
    assert client_ip(_request("10.0.0.2", "198.51.100.7")) == "10.0.0.2"


def test_networks_walk_back_through_trusted_hops_only(proxy_networks):
    assert client_ip(_request("10.0.0.2", "198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.1.2.3")) == "198.51.100.7"
    assert client_ip(_request("fd00::2", "2001:db8::7")) == "2001:db8::7"
    # An IPv4 proxy as an IPv6 server sees it.
    assert client_ip(_request("::ffff:10.0.0.2", "198.51.100.7")) == "198.51.100.7"
    # Every hop a proxy: the furthest one seen.
    assert client_ip(_request("10.0.0.2", "10.0.0.3")) == "10.0.0.3"
    # A hop that is not an address: the last trusted proxy, never text the client chose.
    assert client_ip(_request("10.0.0.2", "1.2.3.4, garbage")) == "10.0.0.2"


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(proxy_networks):
    assert client_ip(_request("203.0.113.9", "10.0.0.5")) == "203.0.113.9"
    assert client_ip(_request("203.0.113.9", "198.51.100.1, 10.0.0.5")) == "203.0.113.9"


def test_the_setting_is_parsed_strictly():
    assert Env({}).proxies("TRUSTED_PROXIES") == (0, ())
    assert Env({"TRUSTED_PROXIES": "0"}).proxies("TRUSTED_PROXIES") == (0, ())
    assert Env({"TRUSTED_PROXIES": "2"}).proxies("TRUSTED_PROXIES") == (2, ())
    count, networks = Env({"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1,fd00::/8"}).proxies("TRUSTED_PROXIES")
    assert count == 0 and [str(n) for n in networks] == ["10.0.0.0/8", "192.0.2.1/32", "fd00::/8"]
    for bad in ("10.0.0.1/8", "proxy.internal", "-1", "1,2"):
        with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES="):
            Env({"TRUSTED_PROXIES": bad}).proxies("TRUSTED_PROXIES")
