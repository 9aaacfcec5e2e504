"""Grouping of accepted browser reports, off the request path.

After storing a report, ingest asks for a grouping run that starts when the current five-second
slot ends: one job per slot in which reports arrive, whatever the number of reports and web
processes (the dispatch key names the slot; each process asks at most once a slot). Every report
is committed before its process asks, so the job of that slot starts after it and groups it: no
report is left waiting for lack of a run. A run groups until the inbox is empty. The per-minute
periodic run is a backstop for a report whose request failed after its commit.

Five seconds, not one: a run is a job process of its own (a fork and a new database connection,
~33 ms of CPU on PostgreSQL), and in a storm of reports a run every second made
the admin pages that ran beside one twice as slow (bench/incidents.py, the storm). A report
reaches the hub a few seconds after it is sent, in any case.
"""

import time
from datetime import UTC, datetime

from django.tasks import task

from incidents import alerts, watch  # noqa: F401 - their jobs and periodic jobs, for the scheduler
from incidents.grouping import pending_reports_group
from jobs.dispatch import dispatch
from jobs.periodic import register_periodic

GROUPING_EVERY_SECONDS = 5
_asked_for_slot = 0  # the start of the last slot this process asked a run for, in epoch seconds


@task
def group_pending_reports() -> int:
    return pending_reports_group().reports


def nudge_grouping() -> None:
    """Make sure a grouping run starts after this moment; cheap enough to call on every report."""
    global _asked_for_slot
    slot = int(time.time()) // GROUPING_EVERY_SECONDS * GROUPING_EVERY_SECONDS
    if slot == _asked_for_slot:
        return  # this process already asked for a run after this slot
    _asked_for_slot = slot
    starts = datetime.fromtimestamp(slot + GROUPING_EVERY_SECONDS, tz=UTC)
    dispatch(group_pending_reports.using(run_after=starts), key=f"incidents:group-reports:{slot}")


register_periodic("incidents.group_reports", "* * * * *", group_pending_reports)
