"""Job processes see what was committed before their dispatch (issue 15).

On SQLite, job processes used to be forked from a process holding the database open: they read
stale snapshots (DoesNotExist for rows committed before the dispatch) or a torn WAL view
("database disk image is malformed"). Here, as in production, a real `manage.py worker` is
running before any of the data exists; another process then writes rows and dispatches a job
for each in the same transaction, while a third keeps writing rows of its own.
"""

import sqlite3
import subprocess
import sys
from collections import Counter

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent
from jobs.tests.conftest import ROOT, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

JOBS = 200

# Each job reads the row committed with its dispatch; every third also writes one of its own.
DISPATCHER = f"""
import time
from django.db import transaction
from audit.models import AuditEvent
from jobs.dispatch import dispatch
from jobs.tests.sample_tasks import read_back
for i in range({JOBS}):
    with transaction.atomic():
        event = AuditEvent.objects.create(
            actor_label="test", action="test.dispatched", entity_kind="test", entity_id=str(i)
        )
        dispatch(read_back, event.pk, write=i % 3 == 0)
    time.sleep(0.01)
"""

# Writes until its stop file appears: the jobs read a database that moves under them.
WRITER = """
import pathlib, time
from audit.services import record_event
from django.db import transaction
stop = pathlib.Path({stop!r})
n = 0
while not stop.exists():
    with transaction.atomic():
        record_event(actor="writer", action="test.writer", kind="test", entity_id=n)
    n += 1
    time.sleep(0.01)
"""


def manage_shell(code: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", "shell", "-v", "0", "-c", code], cwd=ROOT, env=env)


@pytest.mark.parametrize(
    "options",
    [("--concurrency", "1"), ("--concurrency", "2")],
    ids=["concurrency 1", "concurrency 2"],
)
def test_every_job_reads_the_rows_committed_before_its_dispatch(start_worker, worker_env, tmp_path, options):
    connection.close()  # this process only reads at the end; the others write
    worker = start_worker("--queues", "*", *options)
    wait_for(lambda: "started" in (tmp_path / "worker-0.log").read_text(), what="the worker to start")
    stop = tmp_path / "stop-writer"
    writer = manage_shell(WRITER.format(stop=str(stop)), worker_env)
    try:
        assert manage_shell(DISPATCHER, worker_env).wait(timeout=120) == 0

        def settled() -> bool:
            return (
                DBTaskResult.objects.filter(task_path__endswith="read_back")
                .exclude(status__in=["READY", "RUNNING"])
                .count()
                == JOBS
            )

        wait_for(settled, timeout=180, what=f"{JOBS} jobs to finish")
    finally:
        stop.touch()
        writer.wait(timeout=30)
    assert worker.poll() is None, "the worker died"

    jobs = DBTaskResult.objects.filter(task_path__endswith="read_back")
    assert Counter(jobs.exclude(status="SUCCESSFUL").values_list("exception_class_path", flat=True)) == {}
    assert AuditEvent.objects.filter(action="test.read_back").count() == len(range(0, JOBS, 3))
    assert AuditEvent.objects.filter(action="test.writer").exists()
    if connection.vendor == "sqlite":
        worker.terminate()
        worker.wait(timeout=30)
        with sqlite3.connect(connection.settings_dict["NAME"]) as check:
            assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
