"""Ports for the servers a bench or a test starts on loopback (moto, Prometheus, gunicorn)."""

import random
import socket
from pathlib import Path

_EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")


def free_ports(count: int) -> list[int]:
    """`count` distinct ports that nothing holds now, from below the kernel's ephemeral range.

    Not a port the kernel picks (bind to port 0): those come from the ephemeral range, and one is
    free only until an outgoing connection takes it as its local port. The soak starts its
    workers, whose database connections now live as long as the worker, before the web servers
    that listen on its ports: one worker's connection held web1's port, and web1 could not start
    for the whole run (CI, the short soak)."""
    low = int(_EPHEMERAL.read_text().split()[0]) if _EPHEMERAL.exists() else 49152
    ports: list[int] = []
    while len(ports) < count:
        port = random.randrange(10_000, low)
        if port in ports:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
    return ports
