"""`Capture`: one failure as observed, from a browser report, an error response or a failed job.

A plain value: whoever observes a failure builds one (incidents/reports.py for browser reports,
incidents/backend_capture.py for error responses and failed jobs), already scrubbed and capped,
and recording (incidents/recording.py) stores it.
"""

import re
from dataclasses import dataclass, field, fields
from typing import Any

from incidents.models import Level, Source
from incidents.scrub import clip
from incidents.triage import Verdict, triage

TITLE_CHARS = 100
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def headline(message: str) -> str:
    """The first sentence of a message, or its first ~100 characters, cut at a word."""
    text = " ".join((message or "").split())
    first = _SENTENCE_END.split(text, maxsplit=1)[0]
    if len(first) <= TITLE_CHARS:
        return first
    cut = first[: TITLE_CHARS - 1].rsplit(" ", 1)[0]
    return (cut if len(cut) > TITLE_CHARS // 2 else first[: TITLE_CHARS - 1]) + "…"


@dataclass(frozen=True)
class Capture:
    """One failure as observed, already scrubbed and capped by whoever built it."""

    source: str
    method: str = ""
    url: str = ""
    route: str = ""
    status_code: int | None = None
    error_code: str = ""
    # The person's side.
    ui_message: str = ""
    page_url: str = ""
    browser_payload: Any = None
    breadcrumbs: list[Any] = field(default_factory=list)
    user_agent: str = ""
    # The backend's side.
    backend_message: str = ""
    backend_payload: Any = None
    request_context: Any = None
    exception_type: str = ""
    traceback: str = ""
    request_id: str = ""
    job_id: str = ""
    task_name: str = ""
    attempt: int | None = None
    client_ip: str | None = None
    entities: tuple[tuple[str, str], ...] = ()
    will_retry: bool = False  # a failed job that will be tried again (a signal, triage.py)
    anonymous: bool = False  # a request of nobody logged in (not the system's own work)
    # What a server-rendered error page showed the person (academy.errors.render_error): the
    # person's side of a full-page failure, which no browser report carries.
    shown_message: str = ""

    @property
    def is_browser(self) -> bool:
        return self.source == Source.BROWSER

    @property
    def message(self) -> str:
        """What groups and titles the occurrence: the backend's words when known."""
        return self.backend_message or self.ui_message

    @property
    def code(self) -> str:
        return self.error_code or self.exception_type

    @property
    def level(self) -> str:
        return Level.REFUSAL if self.status_code and 400 <= self.status_code < 500 else Level.ERROR

    def to_json(self) -> dict[str, Any]:
        # Shallow: the JSON encoder walks the values; asdict would deep-copy them on ingest's path.
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Capture":
        return cls(**{**data, "entities": tuple((kind, ref) for kind, ref in data.get("entities", ()))})

    def title(self) -> str:
        """A title a person can scan: what failed, in the message's first sentence. The status,
        code and route have their own columns; the full message is on the incident page."""
        message = headline(self.message) or "(no message)"
        if self.source == Source.JOB:
            return clip(f"Job {self.task_name.rsplit('.', 1)[-1]} failed: {message}", TITLE_CHARS)
        return clip(message, TITLE_CHARS)

    @property
    def verdict(self) -> Verdict:
        """The triage rule's verdict on this occurrence alone (no spike: that needs its group)."""
        return triage(source=self.source, status_code=self.status_code, will_retry=self.will_retry)
