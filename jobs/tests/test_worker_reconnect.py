"""A worker outlives its database connection (PostgreSQL: failover, restart, pg_terminate_backend).

Found by bench/soak.py: with persistent connections, pg_terminate_backend of the app's
connections made every worker exit ("OperationalError: terminating connection due to
administrator command") in the middle of recording a job's result.
"""

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from jobs.dispatch import dispatch
from jobs.models import WorkerProcess
from jobs.tests import sample_tasks as t
from jobs.tests.test_worker import run_inline

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's"),
]


def test_a_worker_whose_connection_is_terminated_records_the_job_and_goes_on():
    cut = dispatch(t.cut_database_connections)
    after = dispatch(t.noop)
    worker = run_inline()  # the job cuts the worker's own connection while the worker waits for it
    assert DBTaskResult.objects.get(pk=cut.job_id).status == "SUCCESSFUL"
    assert DBTaskResult.objects.get(pk=after.job_id).status == "SUCCESSFUL"
    assert worker.done == 2
    assert WorkerProcess.objects.get(worker_id=worker.worker_id).stop_reason == "queue empty (--batch)"
