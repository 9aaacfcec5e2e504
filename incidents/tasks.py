"""Grouping of accepted browser reports, off the request path.

Ingest nudges `group_pending_reports` at most once a second per web process; its dispatch key
keeps one such job queued or running at a time, and that job works until the inbox is empty.
The per-minute periodic run is the backstop for a report that arrives as a run is finishing.
"""

import time

from django.tasks import task

from jobs.dispatch import dispatch
from jobs.periodic import register_periodic

NUDGE_EVERY_SECONDS = 1.0
_next_nudge = 0.0


@task
def group_pending_reports() -> int:
    from incidents.services import pending_reports_group

    return pending_reports_group().reports


def nudge_grouping() -> None:
    """Ask a worker to group waiting reports soon; cheap enough to call on every report."""
    global _next_nudge
    now = time.monotonic()
    if now < _next_nudge:
        return
    _next_nudge = now + NUDGE_EVERY_SECONDS
    dispatch(group_pending_reports, key="incidents:group-reports")


register_periodic("incidents.group_reports", "* * * * *", group_pending_reports)
