"""POST /api/incidents: who may report, what is refused and why, what gets stored."""

import importlib
import io
import json
import threading
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from incidents import inbox, tasks
from incidents.capture import Capture
from incidents.grouping import Grouped, pending_reports_group
from incidents.ingest import browser_report_accept
from incidents.models import Incident, Occurrence, PendingReport
from incidents.status_changes import incident_resolve
from incidents.tests.helpers import counted, post_report, record, report
from jobs.models import JobInfo

pytestmark = pytest.mark.django_db


def test_admin_and_customer_may_report_and_the_actor_comes_from_the_session(
    admin_client, parent_client, admin, parent
):
    body = report()
    assert post_report(admin_client, body).status_code == 202
    assert post_report(parent_client, body).status_code == 202
    actors = set(Occurrence.objects.values_list("actor_type", "actor_id"))
    assert actors == {("admin", admin.pk), ("customer", parent.pk)}


def test_the_payload_cannot_choose_the_actor(parent_client, admin, parent):
    response = post_report(parent_client, {**report(), "actor": f"admin:{admin.pk}"})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"] == {"actor": "unknown field"}
    assert not Occurrence.objects.exists()


def test_anonymous_ingest_is_refused(anon_client):
    response = post_report(anon_client, report())
    assert response.status_code == 403
    assert response.json()["error"]["code"] in {"csrf_failed", "not_authenticated"}
    csrf_exempt_anon = Client()
    assert post_report(csrf_exempt_anon, report()).status_code == 403
    assert not Occurrence.objects.exists()


def test_missing_csrf_token_is_refused(admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = post_report(client, report())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert not Occurrence.objects.exists()


def test_with_the_csrf_token_a_browser_report_is_accepted(admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    client.get("/admin/insights/incidents/")
    token = client.cookies["csrftoken"].value
    assert post_report(client, report(), HTTP_X_CSRFTOKEN=token).status_code == 202


def test_a_beacon_form_post_carries_the_token_in_the_body(admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    client.get("/admin/insights/incidents/")
    token = client.cookies["csrftoken"].value
    form = urlencode({"csrfmiddlewaretoken": token, "report": json.dumps(report())})
    response = client.post("/api/incidents", form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 202
    assert pending_reports_group().reports == 1
    assert Occurrence.objects.count() == 1


def test_a_body_over_64_kib_is_413(admin_client):
    body = json.dumps(report(ui_message="x" * (65 * 1024)))
    response = post_report(admin_client, body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert not Occurrence.objects.exists()


def test_malformed_json_is_400_with_a_reason(admin_client):
    response = post_report(admin_client, '{"kind": "http", ')
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_json"
    assert "body" in error["details"]["fields"]


def test_schema_errors_name_each_field(admin_client):
    body = {
        "kind": "boom",
        "request": {"method": "FETCH", "status": "500", "url": 3},
        "entities": ["student:1", "nonsense", "planet:4"],
        "breadcrumbs": "not a list",
        "extra": 1,
    }
    response = post_report(admin_client, body)
    assert response.status_code == 400
    fields = response.json()["error"]["details"]["fields"]
    assert set(fields) >= {
        "kind",
        "extra",
        "request.method",
        "request.status",
        "request.url",
        "entities[1]",
        "entities[2]",
        "breadcrumbs",
    }
    assert fields["request.status"] == "must be a whole number from 0 to 599"


def test_long_strings_are_truncated_not_refused(admin_client):
    assert post_report(admin_client, report(ui_message="y" * 10_000)).status_code == 202
    assert len(Occurrence.objects.get().ui_message) == 2000


# The clock held still: a slow run must not earn back allowance between two reports.
@time_machine.travel("2026-11-28 12:00:05Z", tick=False)
def test_rapid_reports_from_one_user_hit_the_limit_after_its_burst(admin_client, settings):
    settings.INCIDENT_RATE_LIMIT_PER_MINUTE, settings.INCIDENT_RATE_LIMIT_BURST = 30, 5
    statuses = [post_report(admin_client, report(ui_message=f"m{i}")).status_code for i in range(100)]
    assert statuses[:5] == [202] * 5
    assert set(statuses[5:]) == {429}
    limited = post_report(admin_client, report())
    assert limited.status_code == 429
    assert limited["Retry-After"] == "2"  # 30 a minute: the next one is due in 2 s
    assert limited.json()["error"]["code"] == "rate_limited"
    assert Occurrence.objects.count() == 5
    assert counted("user:") == {f"user:{User.objects.get(email='admin@example.test').pk}": 5}


def test_after_its_burst_a_sender_gets_one_report_a_step_and_all_of_it_back_when_idle(admin_client, settings):
    settings.INCIDENT_RATE_LIMIT_PER_MINUTE, settings.INCIDENT_RATE_LIMIT_BURST = 2, 2
    with time_machine.travel("2026-11-28 12:00:58Z", tick=False):
        statuses = [post_report(admin_client, report()).status_code for _ in range(3)]
    with time_machine.travel("2026-11-28 12:01:01Z", tick=False):  # 3 s later: a step is 30 s
        statuses.append(post_report(admin_client, report()).status_code)
    with time_machine.travel("2026-11-28 12:01:28Z", tick=False):  # one step later: one report
        statuses += [post_report(admin_client, report()).status_code for _ in range(2)]
    with time_machine.travel("2026-11-28 12:03:00Z", tick=False):  # idle long enough: the burst
        statuses += [post_report(admin_client, report()).status_code for _ in range(3)]
    assert statuses == [202, 202, 429, 429, 202, 429, 202, 202, 429]


@time_machine.travel("2026-11-28 12:00:05Z", tick=False)
def test_the_per_ip_limit_covers_several_accounts(admin_client, parent_client, settings):
    settings.INCIDENT_RATE_LIMIT_PER_IP_PER_MINUTE = 5
    statuses = [post_report(c, report()).status_code for c in (admin_client, parent_client) * 4]
    assert statuses.count(202) == 5
    assert statuses.count(429) == 3
    # A refusal over the limit is not counted: the address has counted what was accepted.
    assert list(counted("ip:").values()) == [5]


# Outside a test transaction, as requests run: on PostgreSQL each report and its counts are one
# statement, committed without waiting for the WAL flush, and that setting ends with it.
@pytest.mark.django_db(transaction=True)
@time_machine.travel("2026-11-28 12:00:05Z", tick=False)
def test_each_report_commits_with_its_counts_in_a_transaction_of_its_own(admin_client, settings):
    settings.INCIDENT_RATE_LIMIT_PER_MINUTE = 3
    statuses = [post_report(admin_client, report(), group=False).status_code for _ in range(5)]
    assert statuses == [202, 202, 202, 429, 429]
    assert PendingReport.objects.count() == 3
    assert sorted(counted("").values()) == [3, 3]  # the user's and the address's
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)


def test_secrets_in_a_report_are_stored_masked(admin_client):
    body = report(
        ui_message="Login failed for token=abc123secretvalue",
        response={
            "error": {"code": "x", "message": "Authorization: Bearer eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl"},
            "password": "hunter2",
            "nested": {"api_key": "k-123", "note": "card 4111 1111 1111 1111 on file"},
            "headers": {"Cookie": "sessionid=s3cr3t; csrftoken=t0k3n"},
        },
        page_url="http://testserver/portal/?session=zzz&page=2",
    )
    assert post_report(admin_client, body).status_code == 202
    occurrence = Occurrence.objects.get()
    stored = json.dumps(
        [occurrence.ui_message, occurrence.browser_payload, occurrence.page_url, occurrence.url]
    )
    for secret in (
        "abc123secretvalue",
        "hunter2",
        "k-123",
        "4111 1111 1111 1111",
        "s3cr3t",
        "t0k3n",
        "zzz",
        "eyJhbGciOi",
    ):
        assert secret not in stored, secret
    assert "[scrubbed]" in stored and "[card]" in stored
    assert "page=2" in occurrence.page_url


def test_a_report_with_the_request_id_of_a_backend_record_completes_it(admin_client, admin):
    backend = record(actor=admin, request_id="req-12345678")
    response = post_report(
        admin_client,
        report(request={"method": "POST", "url": "/x/", "status": 409, "request_id": "req-12345678"}),
    )
    assert response.json() == {"status": "accepted"}
    backend.refresh_from_db()
    assert backend.has_browser_side and backend.has_backend_side
    assert backend.ui_message == "Failed to remove schedule. Please try again."
    assert Incident.objects.count() == 1
    assert Occurrence.objects.count() == 1


def test_another_persons_request_id_does_not_pair(parent_client, admin):
    record(actor=admin, request_id="req-12345678")
    post_report(
        parent_client,
        report(request={"method": "POST", "url": "/x/", "status": 409, "request_id": "req-12345678"}),
        group=False,
    )
    assert pending_reports_group() == Grouped(reports=1, paired=0, more_waiting=False)
    assert Occurrence.objects.count() == 2


def test_a_javascript_error_report(parent_client):
    body = {"kind": "js", "error": {"name": "TypeError", "message": "x is undefined", "stack": "at a.js:1"}}
    assert post_report(parent_client, body).status_code == 202
    incident = Incident.objects.get()
    assert incident.source == "browser" and incident.error_code == "TypeError"


def test_get_is_not_allowed(admin_client):
    assert admin_client.get("/api/incidents").status_code == 405


def test_ingest_answers_before_grouping_and_asks_the_worker_to_group(admin_client, admin, monkeypatch):
    def grouping_jobs():
        jobs = DBTaskResult.objects.filter(task_path="incidents.tasks.group_pending_reports")
        return [
            (job.run_after.isoformat(), JobInfo.objects.get(job=job).key)
            for job in jobs.order_by("run_after")
        ]

    with time_machine.travel("2026-03-02 09:00:00.250+00:00", tick=False):
        monkeypatch.setattr(tasks, "_asked_for_slot", 0)  # this process may have asked a moment ago
        response = post_report(admin_client, report(), group=False)
        assert response.status_code == 202 and response.json() == {"status": "accepted"}
        assert not Occurrence.objects.exists()
        pending = PendingReport.objects.get()
        assert pending.actor == admin and pending.capture["ui_message"].startswith("Failed to remove")
        # More reports in the same slot, from this and from other web processes: one run.
        post_report(admin_client, report(), group=False)
        monkeypatch.setattr(tasks, "_asked_for_slot", 0)
    with time_machine.travel("2026-03-02 09:00:04.900+00:00", tick=False):
        post_report(admin_client, report(), group=False)
    slot = int(datetime(2026, 3, 2, 9, tzinfo=UTC).timestamp())
    assert grouping_jobs() == [("2026-03-02T09:00:05+00:00", f"incidents:group-reports:{slot}")]
    # A report in the next slot asks for a run after that one, even while the first one runs.
    with time_machine.travel("2026-03-02 09:00:05.100+00:00", tick=False):
        post_report(admin_client, report(), group=False)
    assert [run_after for run_after, _key in grouping_jobs()] == [
        "2026-03-02T09:00:05+00:00",
        "2026-03-02T09:00:10+00:00",
    ]

    assert tasks.group_pending_reports.call() == 4
    assert not PendingReport.objects.exists()
    incident = Incident.objects.get()
    assert incident.occurrence_count == 4 and incident.source == "browser"


def test_grouping_keeps_the_time_a_report_was_received(admin_client):
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False):
        post_report(admin_client, report(), group=False)
    with time_machine.travel("2026-03-02 09:05:00+00:00", tick=False):
        pending_reports_group()
    occurrence = Occurrence.objects.get()
    assert occurrence.created_at.isoformat() == "2026-03-02T09:00:00+00:00"
    assert occurrence.browser_reported_at == occurrence.created_at
    assert Incident.objects.get().first_seen == occurrence.created_at


def test_grouping_works_in_bounded_batches_and_says_what_is_left(admin_client, settings):
    settings.INCIDENT_RATE_LIMIT_BURST = 10  # seven reports at once from one person
    for n in range(7):
        post_report(admin_client, report(entities=[f"student:{n}"]), group=False)
    assert pending_reports_group(limit=5, batch=2) == Grouped(reports=5, paired=0, more_waiting=True)
    assert PendingReport.objects.count() == 2
    assert pending_reports_group(batch=2) == Grouped(reports=2, paired=0, more_waiting=False)
    assert Occurrence.objects.count() == 7 and Incident.objects.count() == 1


def test_a_failing_batch_is_rolled_back_and_its_reports_wait(admin_client, monkeypatch):
    from incidents import grouping

    for _ in range(2):
        post_report(admin_client, report(), group=False)

    def broken(reports):
        raise RuntimeError("database went away")

    monkeypatch.setattr(grouping, "browser_reports_record", broken)
    with pytest.raises(RuntimeError):
        pending_reports_group()
    assert PendingReport.objects.count() == 2 and not Occurrence.objects.exists()
    monkeypatch.undo()
    assert pending_reports_group().reports == 2


def test_reports_another_run_claims_first_are_grouped_once(admin_client, monkeypatch):
    from incidents import grouping

    for n in range(3):
        post_report(admin_client, report(entities=[f"student:{n}"]), group=False)
    read = grouping._pending_batch

    def read_then_lose_the_race(size):
        batch = read(size)  # this run has read the reports, not claimed them yet
        monkeypatch.setattr(grouping, "_pending_batch", read)
        assert pending_reports_group().reports == 3  # when another run groups them all
        return batch

    monkeypatch.setattr(grouping, "_pending_batch", read_then_lose_the_race)
    assert pending_reports_group() == Grouped(reports=0, paired=0, more_waiting=False)
    assert Occurrence.objects.count() == 3 and Incident.objects.get().occurrence_count == 3
    assert not PendingReport.objects.exists()


def test_a_stored_report_is_accepted_even_if_its_grouping_run_cannot_be_asked_for(admin_client, monkeypatch):
    """Found by bench/soak.py: the database dropped the connection between storing the report
    and asking for its grouping run; the 500 made the browser send it again, recorded twice."""
    from django.db import OperationalError

    from incidents import views

    def cut(*args):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(views, "nudge_grouping", cut)
    assert post_report(admin_client, report(), group=False).status_code == 202
    monkeypatch.undo()
    assert pending_reports_group().reports == 1 and Occurrence.objects.count() == 1


def test_a_run_colliding_with_another_keeps_the_reports_that_run_did_not_record(admin_client, monkeypatch):
    """Found by bench/soak.py on PostgreSQL: two runs read overlapping batches, the other one
    recorded only the first report (it had read fewer) and committed while this one was
    inserting; this run's batch failed on the unique key, and it removed its whole batch from
    the inbox, so accepted reports never became occurrences."""
    from incidents import grouping

    for n in range(3):
        post_report(admin_client, report(entities=[f"student:{n}"]), group=False)
    read, recorded_already = grouping._pending_batch, grouping._recorded_already

    def not_committed_yet(keys):  # what this run saw before the other run's commit
        monkeypatch.setattr(grouping, "_recorded_already", recorded_already)
        return set()

    def read_then_collide(size):
        batch = read(size)  # this run has read all three
        monkeypatch.setattr(grouping, "_pending_batch", read)
        assert pending_reports_group(limit=1).reports == 1  # another run records the first only
        monkeypatch.setattr(grouping, "_recorded_already", not_committed_yet)
        return batch

    monkeypatch.setattr(grouping, "_pending_batch", read_then_collide)
    pending_reports_group()
    pending_reports_group()  # the next run (each five seconds in which reports arrive, and every minute)
    assert Occurrence.objects.count() == 3 and Incident.objects.get().occurrence_count == 3
    assert not PendingReport.objects.exists()


def test_a_report_recorded_before_it_left_the_inbox_is_not_recorded_again(admin_client, monkeypatch):
    from incidents import grouping

    post_report(admin_client, report(), group=False)  # with its request's id
    post_report(
        admin_client, {"kind": "js", "error": {"name": "TypeError", "message": "x is undefined"}}, group=False
    )

    def killed(report_ids):
        raise RuntimeError("the worker was killed")

    monkeypatch.setattr(grouping, "_remove_from_inbox", killed)
    with pytest.raises(RuntimeError):
        pending_reports_group()  # recorded and committed; the reports are still in the inbox
    assert Occurrence.objects.count() == 2 and PendingReport.objects.count() == 2
    monkeypatch.undo()
    assert pending_reports_group() == Grouped(reports=0, paired=0, more_waiting=False)
    assert Occurrence.objects.count() == 2 and not PendingReport.objects.exists()
    assert sorted(Incident.objects.values_list("occurrence_count", flat=True)) == [1, 1]


def test_a_report_with_the_id_of_one_recorded_before_is_recorded(admin_client, admin):
    # A new inbox file numbers its reports from 1 again; what marks a report as recorded is its
    # random key, never its id.
    post_report(admin_client, report(), group=False)
    first = PendingReport.objects.get()
    pending_reports_group()
    PendingReport.objects.create(
        id=first.pk, actor=admin, capture=first.capture, received_at=first.received_at
    )
    assert pending_reports_group().reports == 1
    assert Occurrence.objects.count() == 2 and Incident.objects.get().occurrence_count == 2


def test_a_report_of_an_account_deleted_before_grouping_is_dropped(parent_client, parent):
    post_report(parent_client, report(), group=False)
    parent.delete()
    assert pending_reports_group() == Grouped(reports=0, paired=0, more_waiting=False)
    assert not PendingReport.objects.exists() and not Occurrence.objects.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps the inbox in its one database")
def test_on_sqlite_the_inbox_is_a_database_of_its_own(admin_client):
    post_report(admin_client, report(), group=False)
    assert inbox.alias() == "incident_inbox"
    assert connections["incident_inbox"].settings_dict["NAME"] != connection.settings_dict["NAME"]
    with connections["incident_inbox"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_pendingreport")
        assert cursor.fetchone() == (1,)
    assert "incidents_pendingreport" not in connection.introspection.table_names()
    assert "incidents_ratebucket" not in connection.introspection.table_names()
    assert "academy_ratebucket" not in connection.introspection.table_names()  # the rate counts


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps the inbox in its one database")
@pytest.mark.django_db(transaction=True)
def test_on_sqlite_storing_a_report_does_not_wait_for_the_main_databases_writer(admin):

    locked, release = threading.Event(), threading.Event()

    def hold_the_main_write_lock() -> None:
        try:
            with transaction.atomic():  # BEGIN IMMEDIATE: the main database's one writer
                User.objects.filter(pk=admin.pk).update(full_name="Busy Writer")
                locked.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    writer = threading.Thread(target=hold_the_main_write_lock)
    writer.start()
    try:
        assert locked.wait(timeout=10)
        started = time.monotonic()
        browser_report_accept(actor=admin, capture=Capture(source="browser", ui_message="boom"))
        # Waiting for the lock would take until the writer ends (20 s) or the busy timeout (10 s).
        assert time.monotonic() - started < 2
    finally:
        release.set()
        writer.join(timeout=30)
    assert PendingReport.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps the inbox in its one database")
def test_reports_waiting_in_the_main_file_move_to_the_inbox_on_upgrade(admin):
    # An install from before the inbox had its own file: its reports still waiting move with
    # migration 0004, and the main file's old inbox tables go.
    migration = importlib.import_module("incidents.migrations.0004_inbox_database")
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE "incidents_pendingreport" ("id" integer PRIMARY KEY AUTOINCREMENT, '
            '"capture" text NOT NULL, "received_at" datetime NOT NULL, "actor_id" bigint NOT NULL)'
        )
        cursor.execute('CREATE TABLE "incidents_ratebucket" ("id" integer PRIMARY KEY, "key" varchar(100))')
        for message in ("first", "second"):
            cursor.execute(
                'INSERT INTO "incidents_pendingreport" ("capture", "received_at", "actor_id") VALUES (%s, %s, %s)',
                [json.dumps({"source": "browser", "ui_message": message}), "2026-03-02 09:00:00", admin.pk],
            )
    migration.move_waiting_reports_out_of_the_main_database(
        django_apps, SimpleNamespace(connection=connections["incident_inbox"])
    )
    assert not {"incidents_pendingreport", "incidents_ratebucket"} & set(
        connection.introspection.table_names()
    )
    moved = list(PendingReport.objects.order_by("id"))
    assert [report.capture["ui_message"] for report in moved] == ["first", "second"]
    assert len({report.key for report in moved}) == 2 and moved[0].actor == admin
    assert pending_reports_group().reports == 2


def test_migrate_without_a_database_migrates_every_one():
    out = io.StringIO()
    call_command("migrate", verbosity=1, stdout=out)
    # Each database once: on SQLite the main one and the incident inbox.
    assert out.getvalue().count("No migrations to apply.") == len(list(connections))


@pytest.mark.django_db(transaction=True)
def test_three_runs_at_once_group_every_report_exactly_once(admin, settings):

    settings.INCIDENT_RATE_LIMIT_PER_MINUTE = settings.INCIDENT_RATE_LIMIT_BURST = 1000
    for n in range(300):
        capture = Capture(source="browser", route="/x/", status_code=409, ui_message="abcdefg"[n % 7])
        browser_report_accept(actor=admin, capture=capture)
    results: list[Grouped] = []

    def run() -> None:
        try:
            results.append(pending_reports_group(batch=20))
        finally:
            connections.close_all()  # this thread's own connections

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 3 and sum(r.reports for r in results) == 300
    assert Occurrence.objects.count() == 300 and not PendingReport.objects.exists()
    assert sorted(Incident.objects.values_list("occurrence_count", flat=True)) == [42] + [43] * 6


def test_a_batch_stores_every_text_exactly_as_reported(admin_client):
    # One statement stores the batch (on PostgreSQL as an array a column): quoting must hold.
    messages = ['He said "no", then {left}', "back\\slash, comma", "NULL", "ünïcødé ✓\nline two", "x'y"]
    for message in messages:
        body = report(ui_message=message, breadcrumbs=[message], entities=["student:7", "lesson:3"])
        post_report(admin_client, body, group=False)
    assert pending_reports_group().reports == 5
    stored = Occurrence.objects.order_by("id")
    assert [o.ui_message for o in stored] == messages
    assert [o.breadcrumbs for o in stored] == [[m] for m in messages]
    assert {o.entities.count() for o in stored} == {2}


def test_one_batch_pairs_drops_repeats_and_groups_the_rest(admin_client, admin, settings):
    settings.INCIDENT_RATE_LIMIT_BURST = 10  # six reports at once from one person
    backend = record(actor=admin, request_id="req-1")

    def send(request_id="", entities=("student:7",)):
        request = {"method": "POST", "url": "/admin/academic/students/7/archive/", "status": 409}
        if request_id:
            request["request_id"] = request_id
        post_report(admin_client, report(request=request, entities=list(entities)), group=False)

    send("req-1", ("student:7", "lesson:3"))  # completes the backend's record
    send("req-1")  # the same report twice
    send("req-2")  # new
    send("req-2")  # the same report twice
    send()
    send(entities=("student:8",))

    assert pending_reports_group() == Grouped(reports=6, paired=1, more_waiting=False)
    backend.refresh_from_db()
    assert backend.has_browser_side and backend.ui_message.startswith("Failed to remove")
    assert sorted(backend.entities.values_list("kind", "entity_id")) == [("lesson", "3"), ("student", "7")]
    browser = Occurrence.objects.filter(source="browser")
    assert browser.count() == 3  # req-2 and the two without a request id
    assert browser.values("incident").distinct().count() == 1
    assert Incident.objects.get(source="browser").occurrence_count == 3


def test_a_batch_reopens_a_resolved_incident_once(admin_client, admin):
    failed = report(request={"method": "POST", "url": "/admin/academic/students/7/archive/", "status": 502})
    post_report(admin_client, failed)
    incident = Incident.objects.get()
    incident_resolve(actor=admin, incident=incident)
    for _ in range(3):
        post_report(admin_client, failed, group=False)
    pending_reports_group()
    incident.refresh_from_db()
    assert incident.status == "open" and incident.is_regression and incident.occurrence_count == 4
    assert incident.history.filter(regression=True).count() == 1


def test_a_report_grouped_late_does_not_move_last_seen_back(admin_client):
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False):
        post_report(admin_client, report(), group=False)
    with time_machine.travel("2026-03-02 09:10:00+00:00", tick=False):
        post_report(admin_client, report())  # groups both: the newer one is last seen
    incident = Incident.objects.get()
    assert incident.last_seen.isoformat() == "2026-03-02T09:10:00+00:00"
    assert incident.first_seen.isoformat() == "2026-03-02T09:00:00+00:00"
    with time_machine.travel("2026-03-02 09:20:00+00:00", tick=False):
        post_report(admin_client, report(), group=False)
    PendingReport.objects.update(received_at=incident.first_seen)
    pending_reports_group()
    incident.refresh_from_db()
    assert incident.last_seen.isoformat() == "2026-03-02T09:10:00+00:00"
    assert incident.occurrence_count == 3
