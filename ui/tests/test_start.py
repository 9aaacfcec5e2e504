"""The admin start page: each figure a count of exactly what its link lists; customers refused."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from academics.lessons import services as lessons
from academics.lessons.models import AttendanceStatus
from homework.models import Homework
from incidents.models import Incident, Level, Status
from jobs.tests.factories import make_job
from media.models import MediaItem, MediaVariant

pytestmark = pytest.mark.django_db

URL = "/admin/"


def _figure(html: str, slug: str) -> str:
    """The big value of one start card, found by its data-start slug."""
    start = html.index(f'data-start="{slug}"')
    value = html.index('class="start-value">', start) + len('class="start-value">')
    return html[value : html.index("</span>", value)]


def _video(student, uploader, *, size: int, web: int | None = None) -> MediaItem:
    item = MediaItem.objects.create(
        uploader=uploader, original_name="v.mp4", kind="video",
        content_type="video/mp4", size_bytes=size,
    )  # fmt: skip
    MediaVariant.objects.create(item=item, role="original", storage_key=f"o{item.pk}", size_bytes=size,
                                content_type="video/mp4")  # fmt: skip
    if web is not None:
        MediaVariant.objects.create(item=item, role="web", storage_key=f"w{item.pk}", size_bytes=web,
                                    content_type="video/mp4")  # fmt: skip
    return item


@pytest.fixture
def busy_academy(admin, parent, student, other_student):
    now = timezone.now()
    make = lessons.lesson_create
    # Needs attendance: started an hour ago, nobody marked; and yesterday, one of two marked.
    make(actor=admin, subject="Maths", tutor="T", starts_at=now - timedelta(hours=1),
         ends_at=now, students=[student])  # fmt: skip
    yesterday = now - timedelta(days=1)
    partly = make(actor=admin, subject="Art", tutor="T", starts_at=yesterday,
                  ends_at=yesterday + timedelta(hours=1), students=[student, other_student])  # fmt: skip
    lessons.attendance_mark(actor=admin, lesson=partly, student=student, status=AttendanceStatus.PRESENT)
    # Not counted: fully marked; next week; three days ago (past yesterday).
    done = make(actor=admin, subject="Done", tutor="T", starts_at=now - timedelta(hours=3),
                ends_at=now - timedelta(hours=2), students=[student])  # fmt: skip
    lessons.attendance_mark(actor=admin, lesson=done, student=student, status=AttendanceStatus.ABSENT)
    make(actor=admin, subject="Later", tutor="T", starts_at=now + timedelta(days=7),
         ends_at=now + timedelta(days=7, hours=1), students=[student])  # fmt: skip
    make(actor=admin, subject="Old", tutor="T", starts_at=now - timedelta(days=3),
         ends_at=now - timedelta(days=3) + timedelta(hours=1), students=[student])  # fmt: skip
    Homework.objects.create(student=student, submitted_by=parent, title="a")
    Homework.objects.create(student=student, submitted_by=parent, title="b")
    Homework.objects.create(student=student, submitted_by=parent, title="c", status="reviewed")
    for state in ("failed", "failed", "failed", "stuck", "pending", "succeeded"):
        make_job(state)
    for n, (status, level) in enumerate(
        [(Status.OPEN, Level.ERROR), (Status.OPEN, Level.REFUSAL), (Status.RESOLVED, Level.ERROR)]
    ):
        Incident.objects.create(fingerprint=str(n), source="backend", level=level, title="x",
                                status=status, first_seen=now, last_seen=now)  # fmt: skip
    _video(student, parent, size=1_000_000)  # eligible
    _video(student, parent, size=3_000_000, web=1_000_000)  # optimised, saved 2 MB
    _video(student, parent, size=10_000, web=46_864)  # optimised, web copy 36 KB larger


def test_counts_match_the_data(admin_client, busy_academy):
    html = admin_client.get(URL).content.decode()
    assert _figure(html, "lessons-needing-attendance") == "2"
    assert _figure(html, "homework-to-review") == "2"
    assert _figure(html, "failed-jobs") == "3"
    assert _figure(html, "stuck-jobs") == "1"
    assert _figure(html, "open-incidents") == "1"
    assert _figure(html, "videos-to-optimise") == "1"
    # 1 MB + 3 MB + 1 MB + 10 kB + 46.9 kB stored; saved 2 MB - 36 KB
    assert _figure(html, "storage-used") == "4.8\xa0MB"  # Django's filesizeformat: a no-break space
    assert "web copies are 1.9\xa0MB smaller than their originals" in html


def test_each_count_links_to_the_list_it_counts(admin_client, busy_academy):
    html = admin_client.get(URL).content.decode()
    needing = admin_client.get(
        reverse("academics:lesson_list"),
        {"from": (timezone.localdate() - timedelta(days=1)).isoformat(),
         "to": timezone.localdate().isoformat(), "needs": "attendance"},
    )  # fmt: skip
    assert f'href="{reverse("academics:lesson_list")}?from=' in html
    assert [lesson.subject for lesson in needing.context["page"]] == ["Art", "Maths"]
    assert f'href="{reverse("homework:admin_list")}?status=submitted"' in html
    assert f'href="{reverse("jobs:insights")}?tab=failed"' in html
    assert f'href="{reverse("jobs:insights")}?tab=stuck"' in html
    assert 'href="/admin/insights/incidents/?status=open&amp;level=error"' in html
    homework = admin_client.get(reverse("homework:admin_list"), {"status": "submitted"})
    assert len(homework.context["rows"]) == 2


def test_admins_land_here_after_login(admin_client):
    assert admin_client.get("/").url == URL


def test_personas(admin_client, parent_client, other_parent_client, anon_client):
    assert admin_client.get(URL).status_code == 200
    refused = parent_client.get(URL)
    assert refused.status_code == 403  # the friendly page, not a redirect to another admin page
    assert "This page is for academy staff only." in refused.content.decode()
    assert other_parent_client.get(URL).status_code == 403
    assert anon_client.get(URL).status_code == 302


def test_query_count_is_pinned(admin_client, busy_academy, django_assert_num_queries):
    # session + user, lessons 1, homework 1, incidents 1, jobs 3 (workers, running, failed count),
    # media 2 (storage figures, eligible items)
    with django_assert_num_queries(10):
        admin_client.get(URL)
