"""Demo incidents, so the Incident Hub shows "the person saw" beside "the backend said":

- a parent's upload that failed on the server: the backend's record (500, the storage error)
  and the browser's report of the same request (what the parent was shown), joined by request id;
- a script error in a parent's browser, with no backend side.

Recorded through the hub's own services, as capture and grouping would. Idempotent by request id."""

from datetime import timedelta
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from incidents.capture import Capture
from incidents.grouping import browser_reports_record
from incidents.models import Occurrence, Source
from incidents.recording import OccurrenceToRecord, occurrence_record

UPLOAD_REQUEST = "demo-upload-complete-0001"
SCRIPT_REQUEST = "demo-portal-script-0001"


def seed(stdout: TextIO) -> None:
    if Occurrence.objects.filter(request_id__in=[UPLOAD_REQUEST, SCRIPT_REQUEST]).exists():
        return
    parent = User.objects.filter(email="parent@demo.academy").first()
    parent2 = User.objects.filter(email="parent2@demo.academy").first()
    if parent is None or parent2 is None:
        return
    now = timezone.now()
    url = "/portal/homework/uploads/7/complete/"
    with transaction.atomic():
        occurrence_record(
            actor=parent,
            at=now - timedelta(minutes=42),
            capture=Capture(
                source=Source.BACKEND,
                method="POST",
                url=url,
                route="/portal/homework/uploads/<int:session_id>/complete/",
                status_code=500,
                error_code="server_error",
                backend_message="Could not connect to the endpoint URL: https://storage.example/academy-media",
                backend_payload={
                    "error": {
                        "code": "server_error",
                        "message": "Something went wrong on our side. It has been recorded.",
                        "request_id": UPLOAD_REQUEST,
                    }
                },
                exception_type="botocore.exceptions.EndpointConnectionError",
                traceback=(
                    'Traceback (most recent call last):\n  File "homework/upload_sessions.py", line 212, in '
                    "upload_complete\nbotocore.exceptions.EndpointConnectionError: Could not connect to the "
                    "endpoint URL: https://storage.example/academy-media\n"
                ),
                request_id=UPLOAD_REQUEST,
            ),
        )
        browser_reports_record(
            [
                OccurrenceToRecord(
                    actor=parent,
                    at=now - timedelta(minutes=42) + timedelta(seconds=1),
                    capture=Capture(
                        source=Source.BROWSER,
                        method="POST",
                        url=url,
                        route="/portal/homework/uploads/<int:session_id>/complete/",
                        status_code=500,
                        error_code="server_error",
                        ui_message="piano.mp4 could not be saved: Something went wrong on our side. "
                        "It has been recorded.",
                        page_url="/portal/homework/",
                        browser_payload={"kind": "fetch", "response": {"error": {"code": "server_error"}}},
                        breadcrumbs=["chose piano.mp4 (48 MB)", "upload 100%", "POST …/complete/ → 500"],
                        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/605.1.15",
                        request_id=UPLOAD_REQUEST,
                    ),
                ),
                OccurrenceToRecord(
                    actor=parent2,
                    at=now - timedelta(hours=3),
                    capture=Capture(
                        source=Source.BROWSER,
                        url="/static/homework/upload.js",
                        route="/portal/homework/",
                        error_code="TypeError",
                        ui_message="Cannot read properties of undefined (reading 'files')",
                        page_url="/portal/homework/",
                        browser_payload={
                            "kind": "js",
                            "error": {
                                "name": "TypeError",
                                "message": "Cannot read properties of undefined (reading 'files')",
                                "stack": "TypeError: Cannot read properties of undefined (reading 'files')\n"
                                "    at HTMLFormElement.<anonymous> (upload.js:42:31)",
                            },
                        },
                        breadcrumbs=["opened /portal/homework/", "dropped a folder on the upload box"],
                        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36",
                        request_id=SCRIPT_REQUEST,
                    ),
                ),
            ]
        )
    stdout.write("  created demo incidents (a failed upload seen from both sides, a script error)\n")
