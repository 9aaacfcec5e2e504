"""The triage rule: which failures need a person, and which are only signals.

`triage` is the one place that decides; recording (recording.record_occurrences) asks it for every batch of
occurrences of an incident, and the incident's status follows the verdict:

- what needs a person opens the incident (status "open"), or reopens a resolved one, and tells
  someone (incidents/alerts.py);
- everything else is a signal (status "signal"): grouped and counted, listed under "Signals" and
  on the entity's page, never in the hub's default view and never alerting.

Needs a person:
1. a server error: a 5xx, or an exception with no response at all;
2. a failed job after its last attempt (a failure that will be retried is a signal);
3. a browser-side failure: a network error (no response), a JavaScript error or unhandled
   rejection, a 5xx the browser saw;
4. a spike of an expected refusal: at least `spike_count` in one minute from at least
   `spike_people` people (many people meet the same wall), or at least `spike_count` in ten
   minutes and `spike_factor` times its usual rate (one refusal suddenly ten times as common).

A signal: every other 4xx, the refusals the app meant to give (validation, conflict, not found,
forbidden, throttled); they say the app works, not that it is broken.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from incidents.models import Source

WINDOW = timedelta(minutes=10)  # the rate spike's window
MINUTE = timedelta(minutes=1)
# The usual rate is measured over at least a day, so a young group's first refusals do not
# count as "usual" and a burst of a new refusal still reads as a spike.
MIN_HISTORY = timedelta(days=1)


@dataclass(frozen=True)
class Recent:
    """How often one incident happened lately: what spike promotion looks at."""

    last_minute: int = 0
    people_last_minute: int = 0
    last_window: int = 0  # in the last WINDOW
    usual_per_window: float = 0.0  # average per WINDOW before it

    @classmethod
    def of(
        cls,
        *,
        last_minute: int,
        people: int,
        last_window: int,
        total: int,
        first_seen: datetime,
        now: datetime,
    ) -> "Recent":
        """From the recent counts and the incident's summary (total and first sighting)."""
        history = max(now - WINDOW - first_seen, MIN_HISTORY)
        usual = max(total - last_window, 0) / (history / WINDOW)
        return cls(
            last_minute=last_minute,
            people_last_minute=people,
            last_window=last_window,
            usual_per_window=usual,
        )


@dataclass(frozen=True)
class Verdict:
    needs_person: bool
    reason: str


def is_refusal(status_code: int | None) -> bool:
    return status_code is not None and 400 <= status_code < 500


def triage(
    *, source: str, status_code: int | None, will_retry: bool = False, recent: Recent | None = None
) -> Verdict:
    """Does this failure need a person? With the reason a person reads on the incident.

    `recent` is only looked at for refusals (the spike rule); without it a refusal is a signal.
    """
    if source == Source.JOB:
        if will_retry:
            return Verdict(False, "The job failed and will be retried.")
        return Verdict(True, "The job failed after its last attempt.")
    if is_refusal(status_code):
        spike = _spike(recent) if recent is not None else ""
        if spike:
            return Verdict(True, spike)
        return Verdict(False, f"An expected refusal ({status_code}): recorded as a signal.")
    if source == Source.BROWSER:
        if not status_code:
            return Verdict(True, "The browser met a failure: a network error or a script error.")
        return Verdict(True, f"The browser received a server error ({status_code}).")
    return Verdict(True, f"A server error ({status_code or 'unhandled exception'}).")


def _spike(recent: Recent) -> str:
    count, people, factor = (
        settings.INCIDENT_SPIKE_COUNT,
        settings.INCIDENT_SPIKE_PEOPLE,
        settings.INCIDENT_SPIKE_FACTOR,
    )
    if recent.last_minute >= count and recent.people_last_minute >= people:
        return (
            f"Spike: {recent.last_minute} refusals from {recent.people_last_minute} people within one minute."
        )
    if recent.last_window >= count and recent.last_window >= factor * recent.usual_per_window:
        usual = f"{recent.usual_per_window:.1f}".removesuffix(".0")
        return (
            f"Spike: {recent.last_window} refusals in ten minutes, at least {factor} times its "
            f"usual rate ({usual} per ten minutes)."
        )
    return ""
