"""The Jobs page: access for every persona, pinned queries, tabs, actions, htmx counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent
from jobs import queries
from jobs.models import JobInfo
from jobs.tests.factories import live_worker, make_job

pytestmark = pytest.mark.django_db
ZERO = "00000000-0000-0000-0000-000000000000"


def urls(job_id: str) -> list[tuple[str, str]]:
    return [
        ("get", reverse("jobs:insights")),
        ("get", reverse("jobs:counts")),
        ("get", reverse("jobs:detail", kwargs={"job_id": job_id})),
        ("post", reverse("jobs:rerun", kwargs={"job_id": job_id})),
        ("post", reverse("jobs:delete", kwargs={"job_id": job_id})),
        ("post", reverse("jobs:bulk")),
    ]


def test_every_view_is_for_admins_only(admin_client, parent_client, anon_client):
    job = make_job("failed")
    for method, url in urls(str(job.pk)):
        customer = getattr(parent_client, method)(url, {"job_ids": [job.pk], "action": "rerun"})
        assert customer.status_code == 403, url
        anon = getattr(anon_client, method)(url)
        assert anon.status_code == 302 and anon["Location"].startswith("/login/"), url
        anon_json = getattr(anon_client, method)(url, headers={"Accept": "application/json"})
        assert anon_json.status_code == 403 and anon_json.json()["error"]["code"] == "not_authenticated"
    assert DBTaskResult.objects.count() == 1 and not AuditEvent.objects.exists()
    assert admin_client.get(reverse("jobs:insights")).status_code == 200


def test_list_page_query_count_is_pinned(admin_client, django_assert_num_queries):
    live_worker()
    for state in ("failed", "failed", "stuck", "running", "pending", "succeeded"):
        make_job(state)
    admin_client.get(reverse("jobs:insights"))  # warm the session
    for tab in ("failed", "pending", "stuck"):
        # session, user, running+workers (2), counts (4), choices, workers, chart, page (the
        # paginator takes the tab's count)
        with django_assert_num_queries(12):
            response = admin_client.get(reverse("jobs:insights"), {"tab": tab})
        assert response.status_code == 200
    more = [make_job("failed") for _ in range(5)]
    with django_assert_num_queries(12):
        response = admin_client.get(reverse("jobs:insights"), {"tab": "failed"})
    assert all(str(j.pk) in response.content.decode() for j in more)
    with django_assert_num_queries(13):  # filtered: the paginator counts what the filter leaves
        response = admin_client.get(reverse("jobs:insights"), {"tab": "failed", "queue": "default"})
    assert all(str(j.pk) in response.content.decode() for j in more)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plans")
def test_every_tab_reads_the_job_table_by_an_index(admin_client):
    """No query of the page walks the whole job table (a million rows in a busy month): each one
    searches an index (SQLite's plan says SEARCH, or SCAN ... INDEX for the loose index scan)."""
    for state in ("failed", "pending", "succeeded", "running"):
        make_job(state)
    admin_client.get(reverse("jobs:insights"))
    with connection.cursor() as cursor:
        # Statistics as a busy month leaves them (ANALYZE, or PRAGMA optimize): a million jobs,
        # nearly every JobInfo.previous NULL. The planner reads them back on ANALYZE sqlite_schema.
        cursor.execute("ANALYZE")
        cursor.execute(
            "UPDATE sqlite_stat1 SET stat = '1000000 1000000' WHERE tbl = 'jobs_jobinfo' AND idx IN"
            " (SELECT il.name FROM pragma_index_list('jobs_jobinfo') il WHERE il.origin = 'u' AND"
            " EXISTS (SELECT 1 FROM pragma_index_info(il.name) ii WHERE ii.name = 'previous_id'))"
        )
        cursor.execute("ANALYZE sqlite_schema")
    for tab in queries.TABS:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse("jobs:insights"), {"tab": tab}).status_code == 200
        for query in captured.captured_queries:
            if "django_tasks_database_dbtaskresult" not in query["sql"] or not query["sql"].startswith(
                ("SELECT", "WITH")
            ):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                plan = [row[-1] for row in cursor.fetchall()]
            tables = {"django_tasks_database_dbtaskresult", "jobs_jobinfo"}
            scans = [
                step
                for step in plan
                if step.split()[:2] in (["SCAN", t] for t in tables) and "INDEX" not in step
            ]
            assert not scans, (tab, query["sql"], plan)


def test_chart_counts_each_job_in_its_local_hour_and_choices_list_every_task(admin_client):
    now = timezone.localtime()
    done, failed = make_job("succeeded"), make_job("failed")
    DBTaskResult.objects.filter(pk=failed.pk).update(finished_at=now - timedelta(hours=3))
    bars = queries.hourly_chart()
    assert len(bars) == 24 and bars[-1].hour.hour == now.hour
    assert (bars[-1].finished, bars[-1].failed) == (1, 0) and (bars[-4].finished, bars[-4].failed) == (0, 1)
    assert sum(b.finished + b.failed for b in bars) == 2 and done.pk
    assert queries.filter_choices() == {"tasks": [done.task_path], "queues": ["default"]}


def test_tabs_show_counts_and_the_right_rows(admin_client):
    live_worker()
    failed, stuck, pending = make_job("failed"), make_job("stuck"), make_job("pending")
    page = admin_client.get(reverse("jobs:insights"), {"tab": "failed"}).content.decode()
    assert f'data-job="{failed.pk}"' in page and f'data-job="{stuck.pk}"' not in page
    assert (
        'data-count="failed">1<' in page
        and 'data-count="stuck">1<' in page
        and 'data-count="pending">1<' in page
    )
    page = admin_client.get(reverse("jobs:insights"), {"tab": "stuck"}).content.decode()
    assert f'data-job="{stuck.pk}"' in page and f'data-job="{pending.pk}"' not in page
    assert 'data-worker="live-worker"' in page and '<svg class="chart"' in page


def test_filters_and_search(admin_client):
    a = make_job("pending", args=("alpha-file.mp4",))
    b = make_job("pending", args=("beta-file.mp4",))
    page = admin_client.get(reverse("jobs:insights"), {"tab": "pending", "q": "alpha"}).content.decode()
    assert str(a.pk) in page and str(b.pk) not in page
    page = admin_client.get(reverse("jobs:insights"), {"tab": "pending", "q": str(b.pk)}).content.decode()
    assert str(b.pk) in page and str(a.pk) not in page
    page = admin_client.get(reverse("jobs:insights"), {"tab": "pending", "queue": "nope"}).content.decode()
    assert str(a.pk) not in page
    bad = admin_client.get(reverse("jobs:insights"), {"date": "31/02/2026"})
    assert bad.status_code == 400 and b"is not a date" in bad.content


def test_counts_partial_is_polled_by_htmx(admin_client):
    make_job("failed")
    page = admin_client.get(reverse("jobs:insights")).content.decode()
    assert 'hx-trigger="every 5s"' in page and reverse("jobs:counts") in page
    partial = admin_client.get(reverse("jobs:counts"), headers={"HX-Request": "true"})
    assert partial.status_code == 200 and b'data-count="failed">1<' in partial.content
    assert b"<html" not in partial.content


def test_detail_shows_task_arguments_attempts_request_id_and_traceback(admin_client):
    job = make_job("failed", reason="ValueError: x")
    JobInfo.objects.filter(job__pk=job.pk).update(request_id="req-1234567890ab")
    page = admin_client.get(reverse("jobs:detail", kwargs={"job_id": job.pk})).content.decode()
    for text in ("sample_tasks.boom", "req-1234567890ab", "Traceback...", "ValueError: x", "Re-run now"):
        assert text in page


def test_detail_of_an_unknown_job_is_404(admin_client):
    assert admin_client.get(reverse("jobs:detail", kwargs={"job_id": ZERO})).status_code == 404
    response = admin_client.get(
        reverse("jobs:detail", kwargs={"job_id": "nope"}), headers={"Accept": "application/json"}
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "job_not_found"


def test_rerun_from_the_page_three_times_makes_one_job(admin_client, admin):
    job = make_job("failed")
    url = reverse("jobs:rerun", kwargs={"job_id": job.pk})
    responses = [admin_client.post(url, follow=True) for _ in range(3)]
    assert JobInfo.objects.filter(previous__pk=job.pk).count() == 1
    assert b"re-queued as job" in responses[0].content
    assert b"was already re-run as job" in responses[2].content
    assert AuditEvent.objects.filter(action="job.rerun", actor=admin).count() == 3


def test_refused_actions_say_why_and_change_nothing(admin_client):
    running = make_job("running")
    response = admin_client.post(reverse("jobs:delete", kwargs={"job_id": running.pk}), follow=True)
    assert b"has started running" in response.content
    assert DBTaskResult.objects.get(pk=running.pk).status == "RUNNING"
    as_json = admin_client.post(
        reverse("jobs:delete", kwargs={"job_id": running.pk}), headers={"Accept": "application/json"}
    )
    assert as_json.status_code == 409 and as_json.json()["error"]["code"] == "job_running"
    missing = admin_client.post(reverse("jobs:rerun", kwargs={"job_id": ZERO}))
    assert missing.status_code == 404


def test_bulk_delete_and_rerun(admin_client):
    p1, p2 = make_job("pending"), make_job("pending")
    f1 = make_job("failed")
    response = admin_client.post(
        reverse("jobs:bulk"), {"action": "delete", "job_ids": [p1.pk, p2.pk, f1.pk]}, follow=True
    )
    assert b"2 of 3 done" in response.content and b"has finished" in response.content
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {f1.pk}
    admin_client.post(reverse("jobs:bulk"), {"action": "rerun", "job_ids": [f1.pk]})
    assert JobInfo.objects.filter(previous_id=f1.pk).exists()
    nothing = admin_client.post(reverse("jobs:bulk"), {"action": "rerun"}, follow=True)
    assert "Select at least one job first." in nothing.content.decode()  # on the Jobs page, not an error page


def test_next_must_stay_on_this_site(admin_client):
    job = make_job("pending")
    response = admin_client.post(
        reverse("jobs:delete", kwargs={"job_id": job.pk}), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("jobs:insights")
