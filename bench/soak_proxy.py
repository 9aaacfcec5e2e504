"""A TCP proxy in front of the S3 server that the soak can cut: the store "unreachable".

While it is down, every open connection is reset and every new one is accepted and reset at
once (as a store whose load balancer has no healthy backend answers): the app and the browsers
both reach S3 through it (the presigned URLs name the proxy), so both see the outage.
"""

import contextlib
import socket
import struct
import threading


class Proxy:
    def __init__(self, listen_port: int, upstream_port: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self.upstream = (host, upstream_port)
        self.server = socket.create_server((host, listen_port), reuse_port=False, backlog=128)
        self.port = int(self.server.getsockname()[1])
        self.up = True
        self.lock = threading.Lock()
        self.open: set[socket.socket] = set()
        self.refused = 0
        self.stopped = False
        threading.Thread(target=self._accept, name="s3-proxy", daemon=True).start()

    def set_down(self) -> None:
        """Cut the store off: reset every connection now open."""
        with self.lock:
            self.up = False
            doomed, self.open = self.open, set()
        for sock in doomed:
            _reset(sock)

    def set_up(self) -> None:
        with self.lock:
            self.up = True

    def stop(self) -> None:
        self.stopped = True
        self.set_down()
        with contextlib.suppress(OSError):
            self.server.close()

    def _accept(self) -> None:
        while not self.stopped:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            with self.lock:
                up = self.up
            if not up:
                self.refused += 1
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _reset(client)
                continue
            with self.lock:
                self.open.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)
            with self.lock:
                self.open.discard(src)
            with contextlib.suppress(OSError):
                src.close()


def _reset(sock: socket.socket) -> None:
    """Close with RST, not FIN: the peer sees 'connection reset', as with a store gone away.

    shutdown() first: on Linux a close() does not wake the pump thread blocked in recv() on the
    socket, which keeps it open, and the peer would wait for an answer until its timeout."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
