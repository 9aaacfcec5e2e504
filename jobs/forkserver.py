"""The fork server, the worker's fast path on Linux: forks job processes ahead of time, outside the worker.

Linux only (os.pidfd_open, PR_SET_PDEATHSIG); elsewhere the worker forks each job process itself
(jobs/job_process.py). Kept because bench/jobs.py measured that portable path at 0.17x plain
db_worker on SQLite (the target is 0.3x): the worker must close its database connection before
each fork, and on SQLite closing the last connection checkpoints the WAL and reopening costs a sync.

Why not fork the worker itself per job: measured on a 2-CPU VM, a fork of the ~50 MB worker cost
it ~3.5 ms of page-table copying, and afterwards each page the worker wrote faulted once more for
copy-on-write (~1,600 faults, ~4 ms per job): a claim-and-record loop ran 404 jobs/s without a
fork per job and 93 jobs/s with one. So the worker forks once, at start, this server, which does
nothing but fork job processes. It forks each one as a *spare* before there is a job for it, so
the fork (in the server, on another CPU) overlaps the current job and the worker's bookkeeping.

    worker ──socketpair──> fork server ──fork──> spare (blocks reading its job from a pipe)

* The server sends the worker each spare's pid and both pipe ends (SCM_RIGHTS): the worker writes
  the claimed job (the pickled DBTaskResult row, with `info`) to the spare's job pipe and closes
  it; the spare reads to EOF and runs it, so it needs no query of its own (~30 µs of pickling).
  The spare reports on its result pipe as before. A spare that reads EOF with no job (dismissed
  at stop) exits quietly.
* Job processes are the server's children: it reaps them (a pidfd per child tells it when) and
  sends each exit status to the worker, which needs it when a job dies without a result. The
  worker measures and kills a job's process group itself (same user; not needing to be its
  parent). An idle spare is in no job's tree and is never measured.
* Death: the server dies with the worker and a job process with the server (PR_SET_PDEATHSIG), so
  a killed worker leaves nothing running. On a normal stop the worker closes the socket; the
  server kills what it forked, reaps it and exits, and the worker reaps the server.
* The worker tells the server the task path of each job it hands over; the server imports it
  before forking the next spare, so job processes find their task module already loaded.
* No database state crosses a fork. The worker closes its connections just before it forks the
  server, so the server starts with none open; the server closes any that a task-module import
  opened before it forks a spare; a job process opens its own. SQLite forbids carrying an open
  database across fork(): the child would inherit the parent's view of the WAL index and read
  marks but not its POSIX locks, and read stale snapshots or a "malformed" file (issue 15: 200 of
  200 jobs failed that way when inherited connections were kept referenced instead of closed).

The pipes make no trust boundary: both ends are this program, so pickle is fine here.
"""

import contextlib
import ctypes
import gc
import json
import os
import pickle
import selectors
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from django.db import connections
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from jobs.job_process import close_connections, execute


class ForkServerGone(RuntimeError):
    """The fork server ended (killed?): the worker cannot start jobs any more."""


@dataclass
class Spare:
    pid: int
    job_fd: int  # the worker writes the job here, then closes it
    result_fd: int  # the worker reads the job's result here, until EOF

    def send(self, job: DBTaskResult[Any, Any]) -> None:
        """Hand the claimed row over (its `info` too) and close the pipe: the spare reads to EOF.

        A spare that died while idle makes the write fail; its result pipe then ends with no
        result, which the worker records as a job process that died.
        """
        with contextlib.suppress(BrokenPipeError):
            _write_all(self.job_fd, pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        os.close(self.job_fd)


class ForkServer:
    """The worker's side: start the server, take spares, learn how job processes ended."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)  # one message per send
        worker_pid = os.getpid()
        close_connections()  # the worker reopens its own on its next query
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            ours.close()
            _serve(theirs, worker_pid)
        theirs.close()
        self.pid = pid
        self.sock = ours
        self.spare: Spare | None = None
        self.asked = False
        # Exit statuses of the spare and of the job processes not forgotten yet (None: still
        # running); the server reports every exit, the others are dropped.
        self.watched: dict[int, int | None] = {}

    def ask(self, task_path: str = "") -> None:
        """Have the server fork the next spare now (after importing `task_path`), if not done."""
        if self.spare is None and not self.asked:
            try:
                self.sock.send(b"fork " + task_path.encode())
            except (BrokenPipeError, ConnectionResetError) as gone:
                raise self._gone() from gone
            self.asked = True

    def take(self) -> Spare:
        """The next spare, waiting for the server to fork it if need be."""
        self.ask()
        while self.spare is None:
            self._receive(None)
        spare, self.spare, self.asked = self.spare, None, False
        return spare

    def wait_exit(self, pid: int, timeout: float = 10.0) -> int | None:
        """The wait status of a spare or job process; None if not known within timeout.

        Raises ForkServerGone if the server has ended: it took its children with it (PDEATHSIG).
        """
        deadline = time.monotonic() + timeout
        while self.watched.get(pid) is None:
            left = deadline - time.monotonic()
            if left <= 0 or not self._receive(left):
                return None
        return self.watched[pid]

    def forget(self, pid: int) -> None:
        """Done with that job process. Also reads what has come in, so the exit reports of
        finished jobs never pile up in the socket (the server would block on a full one)."""
        self.watched.pop(pid, None)
        with contextlib.suppress(ForkServerGone):  # the next take() says so
            while self._receive(0):
                pass

    def _receive(self, timeout: float | None) -> bool:
        """Read one message from the server (a spare, or an exit status). False on timeout."""
        self.sock.settimeout(timeout)
        try:
            message, fds, _, _ = socket.recv_fds(self.sock, 128, 2)
        except (TimeoutError, BlockingIOError):  # BlockingIOError: timeout 0
            return False
        except ConnectionResetError as gone:  # it died with our request still unread
            raise self._gone() from gone
        if not message:
            raise self._gone()
        kind, pid, *rest = message.split()
        if kind == b"spare":
            self.spare = Spare(int(pid), fds[0], fds[1])
            self.watched[self.spare.pid] = None  # from now on: it may die while idle
        elif int(pid) in self.watched:
            self.watched[int(pid)] = int(rest[0])
        return True

    def _gone(self) -> ForkServerGone:
        return ForkServerGone(f"the fork server (pid {self.pid}) has ended")

    def stop(self) -> None:
        """Dismiss the spare, stop the server (which kills and reaps what it forked), reap it."""
        if self.spare is not None:
            os.close(self.spare.job_fd)  # the spare reads EOF and exits
            os.close(self.spare.result_fd)
            self.spare = None
        self.sock.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


# -- the server process ----------------------------------------------------------------------


def _load_libc() -> Any:
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return None


_LIBC = _load_libc()


def _die_with_parent(parent_pid: int) -> None:
    """PR_SET_PDEATHSIG: SIGKILL when the parent dies; and if it already has, exit now."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(0)


def _exit_after(body: Callable[[], None], quiet: tuple[type[BaseException], ...] = ()) -> NoReturn:
    """Run a forked process's body, then leave with os._exit: a forked child must never return
    into the worker's code. Exit code 70 with the traceback on stderr if the body raised."""
    code = 0
    try:
        body()
    except quiet:
        pass
    except BaseException:
        code = 70
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _serve(sock: socket.socket, worker_pid: int) -> NoReturn:
    def body() -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the worker decides when the server stops
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _die_with_parent(worker_pid)
        # Never collect what was inherited: a collection touches every object, copying the
        # worker's heap page by page, and each job process would inherit those copies.
        gc.freeze()
        _server_loop(sock)

    # A broken socket means the worker is gone; our children die with us (PDEATHSIG).
    _exit_after(body, quiet=(BrokenPipeError, ConnectionResetError))


def _server_loop(sock: socket.socket) -> None:
    """Fork a spare per request; report each child's exit; at EOF kill and reap them all."""
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ)
    children: dict[int, int] = {}  # pid -> pidfd (readable once the process has exited)
    while True:
        for key, _ in selector.select():
            if key.fileobj is not sock:
                pid = key.data
                selector.unregister(key.fileobj)
                os.close(children.pop(pid))
                _, status = os.waitpid(pid, 0)
                sock.send(b"exit %d %d" % (pid, status))
                continue
            message = sock.recv(4096)
            if not message:  # the worker is stopping
                for pid in children:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(pid, signal.SIGKILL)
                for pid in children:
                    os.waitpid(pid, 0)
                return
            task_path = message.removeprefix(b"fork ").decode()
            if task_path:
                with contextlib.suppress(Exception):  # the job process will report a bad path
                    import_string(task_path)
                close_connections()  # should an import have opened one: no spare may inherit it
            pid, job_fd, result_fd = _fork_spare(sock, selector)
            children[pid] = os.pidfd_open(pid)
            selector.register(children[pid], selectors.EVENT_READ, pid)
            socket.send_fds(sock, [b"spare %d" % pid], [job_fd, result_fd])
            os.close(job_fd)
            os.close(result_fd)


def _fork_spare(sock: socket.socket, selector: selectors.BaseSelector) -> tuple[int, int, int]:
    """Fork a job process that waits for its job. Returns its pid and the worker's pipe ends."""
    job_r, job_w = os.pipe()
    result_r, result_w = os.pipe()
    server_pid = os.getpid()
    pid = os.fork()
    if pid == 0:
        gc.freeze()  # as in the server: never collect (and so copy) inherited objects
        os.close(job_w)
        os.close(result_r)
        selector.close()
        sock.close()
        _run_spare(job_r, result_w, server_pid)
    os.close(job_r)
    os.close(result_w)
    with contextlib.suppress(OSError):  # also here, so the group exists when the worker gets the pid
        os.setpgid(pid, pid)
    return pid, job_w, result_r


# -- a job process -----------------------------------------------------------------------------


def _run_spare(job_fd: int, result_fd: int, server_pid: int) -> NoReturn:
    def body() -> None:
        os.setpgid(0, 0)  # its own group: the worker kills the job with whatever it started
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _die_with_parent(server_pid)
        data = _read_all(job_fd)
        if data:
            job: DBTaskResult[Any, Any] = pickle.loads(data)  # noqa: S301 - written by our worker, see above
            _write_all(result_fd, json.dumps(execute(job)).encode())
            os.close(result_fd)  # the worker records the result now; we tear down meanwhile
            connections.close_all()

    _exit_after(body)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
