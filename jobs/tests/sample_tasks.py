"""Tasks the jobs tests run through real workers (importable by worker subprocesses)."""

import os
import signal
import time

from django.db import transaction
from django.tasks import task

from academy.request_id import get_request_id
from audit.services import record_event
from jobs.retry import retry_policy


class FlakyStorageError(Exception):
    """Stands in for a transient storage error."""


@task
def noop() -> None:
    return None


@task
def boom(message: str = "boom") -> None:
    raise ValueError(message)


@task
def hog(megabytes: int = 2048) -> int:
    chunks = []
    for _ in range(megabytes // 16):
        chunks.append(bytearray(16 * 2**20))  # zero-filled: resident at once
        time.sleep(0.005)
    return len(chunks)


@task
def nap(seconds: float = 0.05) -> int:
    time.sleep(seconds)
    return os.getpid()


@task
def mark(n: int) -> str:
    """Leaves one audit row per run, so a test can count how many times job n ran."""
    with transaction.atomic():
        record_event(actor="test", action="test.ran", kind="test", entity_id=n)
    return get_request_id()


@retry_policy(max_attempts=3, backoff_base=0.0, transient=(FlakyStorageError,))
@task
def flaky(fail_times: int = 1) -> int:
    """Fails with a transient error on its first `fail_times` attempts (counted in audit rows)."""
    from audit.models import AuditEvent

    with transaction.atomic():
        record_event(actor="test", action="test.flaky", kind="test", entity_id=0)
    tries = AuditEvent.objects.filter(action="test.flaky").count()
    if tries <= fail_times:
        raise FlakyStorageError(f"storage hiccup {tries}")
    return tries


@retry_policy(max_attempts=3, backoff_base=0.0, transient=(FlakyStorageError,))
@task
def cut_off_once() -> int:
    """Loses its database connection on the first attempt, as pg_terminate_backend or a database
    failover does to a running job; its policy names only storage errors as transient."""
    from django.db import OperationalError

    from audit.models import AuditEvent

    with transaction.atomic():
        record_event(actor="test", action="test.cut_off", kind="test", entity_id=0)
    tries = AuditEvent.objects.filter(action="test.cut_off").count()
    if tries == 1:
        raise OperationalError("terminating connection due to administrator command")
    return tries


@task
def cut_database_connections() -> int:
    """pg_terminate_backend of every other connection to this database, the worker's among them
    (PostgreSQL only): what a failover or an operator does to a running deployment."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


@retry_policy(max_attempts=2)
@task
def slow_retryable(seconds: float = 30) -> None:
    time.sleep(seconds)


@retry_policy(max_attempts=2)
@task
def stall_once(marker: str) -> str:
    """Stalls (for a kill -9) the first time; returns at once when run again."""
    path = __import__("pathlib").Path(marker)
    if not path.exists():
        path.write_text("started")
        time.sleep(60)
    return "ran again"


@task
def echo(n: int) -> int:
    return n


@task
def niceness() -> int:
    """The job process's nice value."""
    return os.nice(0)


@task
def database_session() -> int:
    """The PostgreSQL server process this job's connection talks to."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


@task
def die(exit_code: int | None = None) -> None:
    """Ends its own process without a result: os._exit(exit_code), or SIGKILL when None."""
    if exit_code is None:
        os.kill(os.getpid(), signal.SIGKILL)
    else:
        os._exit(exit_code)


@task
def read_back(event_id: int, write: bool = False) -> int:
    """Reads the audit row committed with its dispatch (and, if asked, writes one of its own):
    a job process that sees a stale snapshot fails with DoesNotExist or a "malformed" database."""
    from audit.models import AuditEvent

    event = AuditEvent.objects.get(pk=event_id)
    if write:
        with transaction.atomic():
            record_event(actor="test", action="test.read_back", kind="test", entity_id=event.entity_id)
    return event.pk


@task
def metered(n: int) -> int:
    """Only the Prometheus test runs it: its counters start from zero in any test session."""
    return n
