"""Customers > Homework in a real browser: hand in a document and a video and see both listed at
once, the video turning ready when a real worker has processed it, all without a reload; a refused
file shows its message and is reported; homework for a task shows as handed in on the task."""

import re
import time

import pytest
from playwright.sync_api import expect

from homework.models import Homework, UploadSession
from homework.tests.conftest import PDF
from jobs.tests.conftest import start_worker, worker_env  # noqa: F401 - real worker processes
from media import storage
from media.models import MediaItem
from media.tests.factories import make_video
from tests.s3_fixtures import local_storage  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("local_storage")]


def wait_for_browser_report(*, status: int, timeout: float = 10.0):
    from incidents.grouping import pending_reports_group
    from incidents.models import Occurrence

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending_reports_group()  # the worker's part: no worker runs beside the live server
        found = Occurrence.objects.filter(status_code=status, browser_reported_at__isnull=False).first()
        if found is not None:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no browser report with status {status} reached the incident hub")


@pytest.fixture
def video_worker(request):
    """A real `manage.py worker` process on this test's database and file store, started before
    anything is handed in, as in production."""
    root = request.getfixturevalue("local_storage")
    request.getfixturevalue("worker_env").update(STORAGE_BACKEND="local", MEDIA_ROOT=str(root))
    return request.getfixturevalue("start_worker")("--queues", "*")


def test_hand_in_a_document_and_a_video_and_see_them_answer(
    page, login, parent, student, tmp_path, settings, video_worker
):
    """The whole visit without a reload: both files join the Handed-in list at once, the form
    starts afresh, and the video turns ready when a real worker (its own process, as in
    production) has processed it."""
    settings.HOMEWORK_UPLOAD_CHUNK_SIZE = 16 * 1024  # several chunks, so progress moves
    video = make_video(tmp_path / "proof.mp4", "320x240", audio=True)
    sheet = tmp_path / "answers.pdf"
    sheet.write_bytes(PDF)

    login(parent)
    page.goto("/portal/homework/")
    page.evaluate("window.__sameDocument = true")  # gone if anything reloads the page
    page.get_by_label("Title").fill("Piano practice")
    page.get_by_label("Files").set_input_files([str(sheet), str(video)])
    expect(page.locator("[data-role=chosen]")).to_contain_text("answers.pdf · ")
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_role("status").filter(has_text="Handed in")).to_have_text(
        "Handed in “Piano practice” for Sam Student: answers.pdf and proof.mp4."
    )
    homework = Homework.objects.get()
    card = page.locator(f'#handed-in [data-entity="homework:{homework.pk}"]')
    expect(card.locator('[data-entity^="media:"]')).to_have_count(2)
    expect(card.locator('[data-entity^="media:"]', has_text="answers.pdf")).to_contain_text("Received")
    # The form starts afresh: handing the same files in again takes choosing them again.
    expect(page.get_by_label("Title")).to_have_value("")
    assert page.get_by_label("Files").evaluate("el => el.files.length") == 0
    expect(page.locator("[data-role=chosen] li")).to_have_count(0)
    expect(page.locator('.upload-item[data-state="done"]')).to_have_count(0)  # the card says it now

    video_row = card.locator('[data-entity^="media:"]', has_text="proof.mp4")
    expect(video_row.locator("[data-role=file-state]")).to_have_text("Ready", timeout=120_000)
    expect(card.locator("[data-role=status]")).to_have_text("Ready")
    expect(card).to_have_attribute("data-settled", "true")  # and so it stops asking
    assert page.evaluate("window.__sameDocument") is True
    assert video_worker.poll() is None, "the worker died"
    media = homework.media.get(kind="video")
    assert sorted(media.variants.values_list("role", flat=True)) == ["original", "poster", "web"]
    assert UploadSession.objects.filter(state="completed").count() == 2
    assert page.console_errors == []


def test_a_refused_file_shows_its_message_and_is_reported(page, login, parent, student, tmp_path):
    noise = tmp_path / "holiday.mp4"
    noise.write_bytes(bytes(range(256)) * 4 + b"\x8f\x13" * 3000)
    login(parent)
    page.goto("/portal/homework/")
    page.get_by_label("Title").fill("Holiday video")
    page.get_by_label("Files").set_input_files(str(noise))
    page.get_by_role("button", name="Upload").click()
    error = page.locator('.upload-item[data-state="failed"] [data-role=error]')
    error.wait_for()
    assert "not accepted" in error.inner_text() and "Allowed:" in error.inner_text()
    # The real incident reporter sends what the person saw; it pairs with the backend's refusal.
    occurrence = wait_for_browser_report(status=415)
    assert "not accepted" in occurrence.ui_message
    assert occurrence.error_code == "type_not_allowed"
    seen = occurrence.browser_payload["response"]["error"]  # the raw payload the browser received
    assert seen["code"] == "type_not_allowed"
    assert occurrence.request_id == seen["request_id"] == occurrence.backend_payload["error"]["request_id"]
    refs = {(e.kind, e.entity_id) for e in occurrence.entities.all()}
    assert {("student", str(student.pk)), ("homework", str(Homework.objects.get().pk))} <= refs
    session = UploadSession.objects.get()
    assert session.state in ("failed", "aborted") and not storage.exists(session.storage_key)


def test_hand_in_homework_for_one_of_the_students_tasks(page, login, parent, student, tmp_path):
    from datetime import date

    from django.utils import timezone

    from academics.models import Student
    from academics.tasks.models import Task, TaskInstance

    sister = Student.objects.create(first_name="Sara", last_name="Student", school_year="Year 3")
    sister.customers.add(parent)
    reading = Task.objects.create(title="Reading log", start_date=date(2026, 1, 5))
    reading.students.add(student)
    spelling = Task.objects.create(title="Spelling list", start_date=date(2026, 1, 5))
    spelling.students.add(sister)
    for task, child in ((reading, student), (spelling, sister)):
        TaskInstance.objects.create(task=task, student=child, date=timezone.localdate())
    answers = tmp_path / "answers.txt"
    answers.write_text("cat, hat, mat\n" * 20)

    login(parent)
    page.goto("/portal/homework/")
    page.get_by_label("Student").select_option(str(sister.pk))
    task = page.get_by_label("Task")
    assert task.locator("option:not([disabled])").all_inner_texts() == [
        "None (give it a title below)",
        "Spelling list",
    ]
    task.select_option(str(spelling.pk))
    page.get_by_label("Files").set_input_files(str(answers))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status").filter(has_text="Handed in")).to_have_text(
        "Handed in “Spelling list” for Sara Student: answers.txt."
    )
    homework = Homework.objects.get()
    assert (homework.student, homework.task_id, homework.title) == (sister, spelling.pk, "Spelling list")
    expect(task).to_have_value("")  # the form is reset
    # The task now shows as handed in, on the Tasks page and on Sara's page.
    page.goto("/portal/tasks/")
    expect(page.locator("[data-entity^=task_instance]", has_text="Spelling list")).to_contain_text(
        "Handed in"
    )
    expect(page.locator("[data-entity^=task_instance]", has_text="Reading log")).not_to_contain_text(
        "Handed in"
    )
    page.goto(f"/portal/students/{sister.pk}/")
    expect(page.locator("[data-entity^=task_instance]", has_text="Spelling list")).to_contain_text(
        "Handed in"
    )
    assert page.console_errors == []


def test_files_dropped_on_the_picker_are_chosen_and_handed_in(page, login, parent, student):
    login(parent)
    page.goto("/portal/homework/")
    page.get_by_label("Title").fill("Dropped notes")
    zone = page.locator("[data-dropzone]")
    dropped = page.evaluate_handle(
        """() => { const data = new DataTransfer();
                   data.items.add(new File(["1/2 + 1/4 = 3/4\\n".repeat(40)], "notes.txt", {type: "text/plain"}));
                   return data; }"""
    )
    zone.dispatch_event("dragenter", {"dataTransfer": dropped})
    expect(zone).to_have_class(re.compile(r"\bis-over\b"))  # it shows where to let go
    zone.dispatch_event("drop", {"dataTransfer": dropped})
    expect(zone).not_to_have_class(re.compile(r"\bis-over\b"))
    expect(page.locator("[data-role=chosen]")).to_have_text("notes.txt · 640 B")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status").filter(has_text="Handed in")).to_have_text(
        "Handed in “Dropped notes” for Sam Student: notes.txt."
    )
    assert MediaItem.objects.get().original_name == "notes.txt"
    assert page.console_errors == []
