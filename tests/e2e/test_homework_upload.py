"""Customers > Homework in a real browser: upload a small video with its progress bar, see it
listed, run the processing job, see it ready; a refused file shows its message and is reported."""

import time

import pytest

from homework.models import Homework, UploadSession
from media import storage
from media.models import MediaItem
from media.tasks import process_video_proof
from media.tests.factories import make_video
from tests.s3_fixtures import local_storage  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("local_storage")]


def wait_for_browser_report(*, status: int, timeout: float = 10.0):
    from incidents.models import Occurrence
    from incidents.services import pending_reports_group

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending_reports_group()  # the worker's part: no worker runs beside the live server
        found = Occurrence.objects.filter(status_code=status, browser_reported_at__isnull=False).first()
        if found is not None:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no browser report with status {status} reached the incident hub")


def test_upload_a_video_and_see_it_processed(page, login, parent, student, tmp_path, settings):
    settings.HOMEWORK_UPLOAD_CHUNK_SIZE = 16 * 1024  # several chunks, so progress moves
    video = make_video(tmp_path / "proof.mp4", "320x240", audio=True)
    login(parent)
    page.goto("/portal/homework/")
    page.get_by_label("Student").select_option(str(student.pk))
    page.get_by_label("Title").fill("Piano practice")
    page.get_by_label("Files").set_input_files(str(video))
    page.get_by_role("button", name="Upload").click()
    item = page.locator('.upload-item[data-upload="proof.mp4"]')
    item.and_(page.locator('[data-state="done"]')).wait_for()
    assert item.get_by_label("Upload progress for proof.mp4").evaluate("el => el.value") == 100
    assert "processing" in item.locator("[data-role=state]").inner_text()

    homework = Homework.objects.get()
    media = MediaItem.objects.get(homework=homework)
    assert media.kind == "video" and media.size_bytes == video.stat().st_size
    assert UploadSession.objects.get().state == "completed"

    page.reload()
    card = page.locator(f'[data-entity="homework:{homework.pk}"]')
    card.locator(f'[data-entity="media:{media.pk}"]', has_text="Processing").wait_for()

    process_video_proof.call(media.pk)  # the worker's job, run here
    page.reload()
    card.locator(f'[data-entity="media:{media.pk}"]', has_text="Ready").wait_for()
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

    from academics.models import Student
    from academics.task_models import Task

    sister = Student.objects.create(first_name="Sara", last_name="Student", school_year="Year 3")
    sister.customers.add(parent)
    reading = Task.objects.create(title="Reading log", start_date=date(2026, 1, 5))
    reading.students.add(student)
    spelling = Task.objects.create(title="Spelling list", start_date=date(2026, 1, 5))
    spelling.students.add(sister)
    answers = tmp_path / "answers.txt"
    answers.write_text("cat, hat, mat\n" * 20)

    login(parent)
    page.goto("/portal/homework/")
    page.get_by_label("Student").select_option(str(sister.pk))
    task = page.get_by_label("Task")
    assert task.locator("option:not([disabled])").all_inner_texts() == [
        "None: homework of my own, titled below",
        "Spelling list",
    ]
    task.select_option(str(spelling.pk))
    page.get_by_label("Files").set_input_files(str(answers))
    page.get_by_role("button", name="Upload").click()
    page.locator('.upload-item[data-upload="answers.txt"][data-state="done"]').wait_for()
    homework = Homework.objects.get()
    assert (homework.student, homework.task_id, homework.title) == (sister, spelling.pk, "Spelling list")
    assert page.console_errors == []
