"""Grouping of accepted browser reports, off the request path.

After storing a report, ingest asks for a grouping run that starts after the current second
ends: one job per second in which reports arrive, whatever the number of reports and web
processes (the dispatch key names the second; each process asks at most once a second). Every
report is committed before its process asks, so the job of that second starts after it and
groups it: no report is left waiting for lack of a run. A run groups until the inbox is empty.
The per-minute periodic run is a backstop for a report whose request failed after its commit.
"""

import time
from datetime import UTC, datetime

from django.tasks import task

from incidents import alerts, watch  # noqa: F401 - their jobs and periodic jobs, for the scheduler
from incidents.grouping import pending_reports_group
from jobs.dispatch import dispatch
from jobs.periodic import register_periodic

_asked_for_second = 0


@task
def group_pending_reports() -> int:
    return pending_reports_group().reports


def nudge_grouping() -> None:
    """Make sure a grouping run starts after this moment; cheap enough to call on every report."""
    global _asked_for_second
    second = int(time.time())
    if second == _asked_for_second:
        return  # this process already asked for a run after this second
    _asked_for_second = second
    starts = datetime.fromtimestamp(second + 1, tz=UTC)
    dispatch(group_pending_reports.using(run_after=starts), key=f"incidents:group-reports:{second}")


register_periodic("incidents.group_reports", "* * * * *", group_pending_reports)
