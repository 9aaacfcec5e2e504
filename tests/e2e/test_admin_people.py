"""Browser: the admin's daily work, as a person meets it (issue "People first, for admins")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from academics.lessons import services as lessons
from academics.lessons.models import Attendance, Lesson
from homework.models import Homework
from jobs.tests.factories import make_job

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_refused_lesson_form_comes_back_with_what_was_typed(page, login, admin, student):
    login(admin)
    page.goto("/admin/academic/lessons/new/")
    page.get_by_label("Subject").fill("Chemistry")
    page.get_by_label("Tutor").fill("Dr Carla Chem")
    page.get_by_label("Location").fill("Lab 2")
    page.get_by_label("Starts at").fill("2026-12-01T15:30")
    page.get_by_label("Ends at").fill("2026-12-01T15:00")
    page.get_by_label(student.full_name).check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")

    assert page.get_by_role("heading", name="New lesson").is_visible()  # the same form, not an error page
    error = page.locator(".field.has-error")
    assert error.locator("#id_ends_at").count() == 1
    assert "A lesson must end after it starts." in error.inner_text()
    assert page.get_by_label("Subject").input_value() == "Chemistry"
    assert page.get_by_label("Location").input_value() == "Lab 2"
    assert page.get_by_label("Starts at").input_value() == "2026-12-01T15:30"
    assert page.get_by_label(student.full_name).is_checked()
    assert not Lesson.objects.exists()
    # The re-rendered form keeps its 400 status (the browser notes it); nothing else went wrong.
    assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_the_start_page_counts_what_its_links_list(page, login, admin, parent, student, other_student):
    now = timezone.now()
    lessons.lesson_create(actor=admin, subject="Maths", tutor="T", starts_at=now - timedelta(hours=1),
                          ends_at=now, students=[student, other_student])  # fmt: skip
    Homework.objects.create(student=student, submitted_by=parent, title="Worksheet")
    make_job("failed")
    make_job("failed")
    make_job("stuck")
    login(admin)
    assert page.url.endswith("/admin/")

    def figure(title: str) -> str:
        return page.locator(".start-card", has_text=title).locator(".start-value").inner_text()

    assert figure("Lessons needing attendance") == "1"
    assert figure("Homework to review") == "1"
    assert figure("Failed jobs") == "2"
    assert figure("Stuck jobs") == "1"
    page.locator(".start-card", has_text="Failed jobs").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#job-table tbody tr[data-job]").count() == 2
    page.go_back()
    page.locator(".start-card", has_text="Lessons needing attendance").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("tbody tr[data-entity]").count() == 1
    assert page.console_errors == []


def test_the_week_view_shows_today(page, login, admin, student):
    today_3pm = timezone.localtime().replace(hour=15, minute=0, second=0, microsecond=0)
    lessons.lesson_create(actor=admin, subject="Chemistry", tutor="T", starts_at=today_3pm,
                          ends_at=today_3pm + timedelta(hours=1), students=[student])  # fmt: skip
    login(admin)
    page.goto("/admin/academic/lessons/week/")
    today = page.locator(".calendar-day.today")
    assert today.count() == 1
    lesson = today.locator(".calendar-lesson", has_text="Chemistry")
    assert lesson.is_visible()
    hour = page.locator(".calendar-hours span", has_text="15:00").bounding_box()
    box = lesson.bounding_box()
    assert abs(box["y"] - hour["y"]) < 3  # placed at 15:00 on the time axis
    page.goto(f"/admin/academic/lessons/week/?week={(timezone.localdate() + timedelta(days=7)).isoformat()}")
    assert page.locator(".calendar-day.today").count() == 0
    page.get_by_role("link", name="This week").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".calendar-day.today").count() == 1
    page.locator(".calendar-day.today .calendar-slot").nth(2).click()  # 10:00
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("Starts at").input_value() == f"{timezone.localdate().isoformat()}T10:00"
    assert page.console_errors == []


def test_attendance_on_a_phone(browser, live_server, admin, student, other_student):
    from tests.e2e.conftest import sign_in

    now = timezone.now()
    lesson = lessons.lesson_create(actor=admin, subject="Chemistry", tutor="T", starts_at=now - timedelta(minutes=10),
                                   ends_at=now + timedelta(minutes=50), students=[student, other_student])  # fmt: skip
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, admin)
        page.goto(f"/admin/academic/lessons/{lesson.pk}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # Every control of the register lies within the 390 px width.
        for control in page.locator(".attendance button, .attendance input:not([type=hidden])").all():
            box = control.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, control.inner_html()
            assert box["height"] >= 40  # large enough for a thumb
        # "Mark all present" stays within thumb reach: in the viewport while the register shows.
        bar = page.get_by_role("button", name="Mark all present").bounding_box()
        assert bar is not None and bar["y"] + bar["height"] <= 844

        row = page.locator(f"#attendance-{other_student.pk}")
        row.get_by_label(f"Note for {other_student.full_name}").fill("Bus was late")
        row.get_by_role("button", name="Late").click()
        page.wait_for_load_state("networkidle")
        assert f"Attendance saved for {other_student.full_name}" in page.locator(".toast").first.inner_text()
        assert page.locator(f"#attendance-{other_student.pk} [aria-pressed=true]").inner_text() == "Late"
        page.get_by_role("button", name="Mark all present").click()
        page.wait_for_load_state("networkidle")
        marks = dict(Attendance.objects.filter(lesson=lesson).values_list("student_id", "status"))
        assert marks == {student.pk: "present", other_student.pk: "late"}
    finally:
        context.close()
