"""Every admin page, with the demo data, speaks to people: no `kind:id` labels, no `(s)` plurals,
no Python reprs, no ISO timestamps in the visible text."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from academics.lessons.models import Lesson
from academics.models import Student
from academics.tasks.models import Task
from accounts.models import User
from homework.models import Homework
from media.models import MediaItem
from tests.s3_fixtures import local_storage  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_storage")]

KINDS = "admin|customer|system|lesson|lessonseries|student|task|taskinstance|homework|mediaitem|media|attendance|user|job"
BAD = {
    "kind:id label": re.compile(rf"\b({KINDS}):\d+\b"),
    "(s) plural": re.compile(r"\w\(s\)"),
    "Python repr": re.compile(r"\{'|\[\{|<QuerySet|datetime\.|\bNone\b|\bTrue\b|\bFalse\b"),
    "ISO timestamp": re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}"),
    "negative size": re.compile(r"-\d[\d.]*[ \xa0]?(B|bytes|KB|MB|GB)\b"),
}


class _Text(HTMLParser):
    """The text a person reads: no tags, attributes, scripts or form values."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "pre", "code"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "pre", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def _admin_pages() -> list[str]:
    lesson = Lesson.objects.order_by("starts_at").first()
    pages = [
        "/admin/",
        reverse("academics:student_list"),
        reverse("academics:lesson_list"),
        reverse("academics:lesson_week"),
        reverse("academics:task_list"),
        reverse("homework:admin_list") + "?status=all",
        reverse("media:insights"),
        reverse("jobs:insights") + "?tab=failed",
        reverse("jobs:insights") + "?tab=stuck",
        reverse("jobs:insights") + "?tab=pending",
        reverse("jobs:insights") + "?tab=succeeded",
        reverse("accounts:customer_list"),
        reverse("audit:log"),
        reverse("academics:student_detail", args=[Student.objects.first().pk]),  # type: ignore[union-attr]
        reverse("academics:task_detail", args=[Task.objects.first().pk]),  # type: ignore[union-attr]
        reverse("homework:admin_detail", args=[Homework.objects.first().pk]),  # type: ignore[union-attr]
        reverse("media:detail", args=[MediaItem.objects.first().pk]),  # type: ignore[union-attr]
    ]
    if lesson is not None:
        pages.append(reverse("academics:lesson_detail", args=[lesson.pk]))
    return pages


def test_admin_pages_speak_to_people(demo):
    client = Client()
    client.force_login(User.objects.get(email="admin@demo.academy"))
    problems = []
    for url in _admin_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        for name, pattern in BAD.items():
            for match in pattern.finditer(text):
                context = text[max(0, match.start() - 40) : match.end() + 40]
                problems.append(f"{url}: {name}: …{context}…")
    assert not problems, "\n".join(problems)
