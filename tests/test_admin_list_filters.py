"""Odd filter values on every admin list: a 200 (the value ignored) or a typed 400, never a 500.

A person only gets an odd value by editing a URL or following an old link, so either answer is
fine; a traceback is not. The table below names every query parameter the admin pages read, and
the last test checks that the views read no parameter the table forgets.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from academics.lessons.models import Lesson
from academics.tasks.models import Task
from audit.services import record_event
from incidents.tests.helpers import record

ROOT = Path(__file__).resolve().parents[1]

# Every admin page with filters, and the parameters it reads.
LISTS: dict[str, tuple[str, ...]] = {
    "/admin/academic/students/": ("q", "show", "page"),
    "/admin/academic/lessons/": ("student", "student_name", "tutor", "from", "to", "needs", "page"),
    "/admin/academic/lessons/student-suggestions/": ("student_name",),
    "/admin/academic/lessons/new/": ("at",),  # the slot clicked on the week view
    "/admin/academic/lessons/week/": ("week",),
    "/admin/academic/tasks/": ("q", "show", "recurrence", "page"),
    "/admin/academic/tasks/{task}/": ("from",),
    "/admin/academic/homework/": ("status", "page"),
    "/admin/customers/": ("q", "page"),
    "/admin/audit/": ("kind", "entity_id", "action", "page"),
    "/admin/insights/jobs/": ("tab", "date", "task", "queue", "q", "page"),
    "/admin/insights/jobs/counts/": ("tab", "date", "task", "queue", "q"),
    "/admin/insights/media/": ("state", "kind", "from", "to", "sort", "page"),
    "/admin/insights/incidents/": (
        "source",
        "status",
        "level",
        "actor_type",
        "entity_kind",
        "entity",
        "route",
        "status_code",
        "since",
        "until",
        "q",
        "page",
    ),
    "/admin/insights/incidents/{incident}/": ("page",),
}

ODD_VALUES = [
    "²",  # a digit to str.isdigit(), not to int()
    "٣",  # an Arabic-Indic three: int() takes it, a date parser must not
    "9999-12-31",  # the last date: one more day overflows
    "0001-01-01",
    "-1",
    "99999999999999999999999",  # past every integer column
    "1e309",
    "\x00",  # PostgreSQL refuses NUL in text
    "nul\x00in the middle",
    "%_\\",
    "' OR 1=1 --",
    "a" * 3000,
    "2026-02-30",
    "student:",
    ":7",
    "student:99999999999999999999999",
]


@pytest.fixture
def listed(admin, student):
    """A row for each list, so that filters meet data."""
    now = timezone.now()
    lesson = Lesson.objects.create(
        subject="Maths", tutor="Tess Tutor", starts_at=now, ends_at=now + timedelta(hours=1)
    )
    lesson.students.add(student)
    task = Task.objects.create(title="Read a chapter", start_date=timezone.localdate())
    task.students.add(student)
    record_event(actor=admin, action="student.update", entity=student)
    incident = record(actor=admin).incident
    return {"task": task.pk, "incident": incident.pk}


def _urls(listed):
    for template, params in LISTS.items():
        yield template.format(**listed), params


def test_odd_values_on_every_admin_list_filter_are_ignored_or_a_typed_400(admin_client, listed):
    failures = []
    for url, params in _urls(listed):
        for param in params:
            for value in ODD_VALUES:
                response = admin_client.get(url, {param: value})
                if response.status_code == 200:
                    continue
                if response.status_code != 400:
                    failures.append(f"{url}?{param}={value[:30]!r}: {response.status_code}")
                    continue
                as_json = admin_client.get(url, {param: value}, HTTP_ACCEPT="application/json")
                error = as_json.json().get("error", {})
                if as_json.status_code != 400 or not {"code", "message", "request_id"} <= set(error):
                    failures.append(f"{url}?{param}={value[:30]!r}: 400 without the error contract")
    assert not failures, "\n".join(failures)


def test_all_filters_odd_at_once(admin_client, listed):
    for url, params in _urls(listed):
        for value in ("²", "9999-12-31", "\x00"):
            response = admin_client.get(url, dict.fromkeys(params, value))
            assert response.status_code in (200, 400), (url, value, response.status_code)


def test_the_table_names_every_parameter_the_admin_views_read():
    read = set()
    for path in ROOT.glob("*/*views.py"):
        if path.parts[-2] in {".venv", "var"}:
            continue
        read |= set(re.findall(r"request\.GET\.get(?:list)?\(\s*\"([^\"]+)\"", path.read_text()))
    # Read by pages that are not admin lists: a file's download flag, an upload's offset.
    not_filters = {"download", "offset"}
    named = {param for params in LISTS.values() for param in params}
    assert read - not_filters <= named, sorted(read - not_filters - named)
