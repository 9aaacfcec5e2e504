"""Small builders shared by the incident tests."""

import json
from typing import Any

from django.conf import settings
from django.test import Client

from academy.models import RatePace
from academy.pacing import Pace, now_us
from incidents.capture import Capture
from incidents.grouping import pending_reports_group
from incidents.recording import occurrence_record


def report(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "http",
        "ui_message": "Failed to remove schedule. Please try again.",
        "page_url": "http://testserver/admin/academic/students/7/",
        "request": {"method": "POST", "url": "/admin/academic/students/7/archive/", "status": 409},
        "response": {"error": {"code": "has_attendance", "message": "Cannot delete schedule 7."}},
        "entities": ["student:7"],
        "breadcrumbs": ['12:00:00 click button "Archive"'],
    }
    body.update(overrides)
    return body


def post_report(client: Client, body: Any, *, group: bool = True, **extra: Any) -> Any:
    """POST a report; once accepted, group it as the worker would (unless group=False)."""
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    response = client.post("/api/incidents", data=data, content_type="application/json", **extra)
    if group and response.status_code == 202:
        pending_reports_group()
    return response


def backend_capture(**overrides: Any) -> Capture:
    values: dict[str, Any] = {
        "source": "backend",
        "method": "POST",
        "url": "/admin/academic/students/7/archive/",
        "route": "/admin/academic/students/<int:student_id>/archive/",
        "status_code": 409,
        "error_code": "has_attendance",
        "backend_message": "Cannot archive student 7: 3 lessons ahead.",
        "entities": (("student", "7"),),
    }
    values.update(overrides)
    return Capture(**values)


def record(actor: Any = None, **overrides: Any) -> Any:
    return occurrence_record(actor=actor, capture=backend_capture(**overrides))


def counted(prefix: str) -> dict[str, int]:
    """How many reports each ingest limit whose key starts with `prefix` ("user:", "ip:") has
    counted, read from its `due` (academy/pacing.py): one step ahead of now for each. For a
    frozen clock, with no earlier reports that have been paid back."""
    per_minute = {
        "user": settings.INCIDENT_RATE_LIMIT_PER_MINUTE,
        "ip": settings.INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE,
    }
    now = now_us()
    return {
        key: (due - now) // Pace(key, per_minute[key.partition(":")[0]], 1).step_us
        for key, due in RatePace.objects.filter(key__startswith=prefix).values_list("key", "due_us")
    }
