"""The client's address: REMOTE_ADDR, or X-Forwarded-For read only through trusted proxies.

Behind a proxy every request comes from the proxy's address, so per-address limits (the login
throttle, the incident ingest limits) would count everyone together. X-Forwarded-For names the
client, but anyone can send that header: it is read only as far as the hops the deployment
trusts (TRUSTED_PROXIES), from the right, where each trusted proxy appended the address it saw.
"""

import ipaddress
from typing import Any

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # A server listening on IPv6 sees IPv4 peers as ::ffff:a.b.c.d; networks are written as IPv4.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXY_NETWORKS)


def client_ip(request: Any) -> str | None:
    """The address of the client as far as trusted proxies let us see; None if unknown."""
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    count: int = settings.TRUSTED_PROXY_COUNT
    if remote is None or not (count or settings.TRUSTED_PROXY_NETWORKS):
        return remote  # no proxy: the peer is the client, whatever headers it sends
    forwarded = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if count:
        # Each of `count` proxies appended the address it saw; the first of those is the client's.
        # Fewer entries: the request did not pass through them all, so the header proves nothing.
        if len(forwarded) < count:
            return remote
        client = _address(forwarded[-count])
        return str(client) if client is not None else remote
    # Networks: walk back from the peer while the hop is a trusted proxy. The first address that
    # is not one is the client; a hop that is not an address ends what we can believe, and the
    # last trusted proxy stands for the client (never a value the client chose).
    seen = _address(remote)
    if seen is None:
        return remote
    for hop in reversed(forwarded):
        if not _trusted(seen):
            break
        previous = _address(hop)
        if previous is None:
            break
        seen = previous
    return str(seen)
