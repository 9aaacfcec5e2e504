"""The start page's job items (registered in JobsConfig.ready)."""

from django.urls import reverse

from jobs.queries import running_state, tab_count
from ui.start import StartItem


def start_items() -> list[StartItem]:
    """Failed and stuck jobs: three queries (the live workers, the running jobs, the failed count).

    Only these two tabs: the Succeeded tab's count reads a week of jobs, which the start page
    does not show."""
    running = running_state()
    counts = {"failed": tab_count("failed", running), "stuck": tab_count("stuck", running)}
    url = reverse("jobs:insights")
    return [
        StartItem("Failed jobs", counts["failed"], f"{url}?tab=failed", note="not re-run yet"),
        StartItem("Stuck jobs", counts["stuck"], f"{url}?tab=stuck", note="their worker stopped beating"),
    ]
