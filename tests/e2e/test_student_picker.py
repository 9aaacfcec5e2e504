"""The student picker in a browser, without a mouse: past the checkbox limit, an admin finds
students by name, adds and removes them with the keyboard, gets an inline error that keeps them,
and saves the lesson; the same picker chooses a student's parents. The picker with its
suggestions open passes the accessibility audit."""

from pathlib import Path

import pytest

from academics.lessons.models import Lesson
from academics.models import Student

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def many_students(monkeypatch, student, other_student):
    monkeypatch.setattr("ui.picker.FEW", 1)  # 50 in the app
    return Student.objects.create(first_name="Sasha", last_name="Student", school_year="Year 3")


def test_admin_chooses_students_by_keyboard_and_keeps_them_through_an_error(
    page, login, admin, student, other_student, many_students
):
    login(admin)
    page.goto("/admin/academic/lessons/new/")
    assert page.locator("#id_students_0").count() == 0  # no checkbox a student
    page.get_by_label("Subject").fill("Biology")
    page.get_by_label("Tutor").fill("Dr B")
    page.get_by_label("Starts at").fill("2026-12-10T10:00")
    page.get_by_label("Ends at").fill("2026-12-10T09:00")  # before it starts: an inline error
    search = page.get_by_role("searchbox", name="Students", exact=True)
    search.focus()
    page.keyboard.type("stud")
    page.get_by_role("button", name="Add Sam Student").wait_for()
    page.keyboard.press("Enter")  # to the first student found, not sending the form
    page.keyboard.press("Enter")  # add them ("Sam" sorts before "Sasha": first names after last)
    assert page.locator("[data-picker-status]").text_content() == "Sam Student added."
    assert page.evaluate("document.activeElement.id") == "id_students_search"
    page.get_by_role("button", name="Add Sasha Student").click()
    page.get_by_role("button", name="Save").click()

    page.wait_for_load_state("networkidle")
    assert page.locator(".field-error").all_text_contents() == ["A lesson must end after it starts."]
    assert page.locator(".chips .chip span").all_text_contents() == ["Sam Student", "Sasha Student"]
    page.get_by_role("button", name="Remove Sasha Student").focus()
    page.keyboard.press("Enter")
    assert page.locator("[data-picker-status]").text_content() == "Sasha Student removed."
    page.get_by_label("Ends at").fill("2026-12-10T11:00")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/admin/academic/lessons/*/")
    lesson = Lesson.objects.get(subject="Biology")
    assert list(lesson.students.all()) == [student]
    assert [e for e in page.console_errors if "400" not in e] == []  # the inline error was a 400


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}])
def test_the_picker_passes_the_accessibility_audit(browser, live_server, admin, many_students, viewport):
    from tests.e2e.conftest import sign_in

    # bypass_csp: the page's CSP (rightly) refuses the injected audit script
    context = browser.new_context(base_url=live_server.url, viewport=viewport, bypass_csp=True)
    page = context.new_page()
    try:
        sign_in(page, admin)
        page.goto("/admin/academic/tasks/new/")
        page.get_by_role("searchbox", name="Students", exact=True).fill("stud")
        page.get_by_role("button", name="Add Sam Student").click()
        page.get_by_role("button", name="Remove Sam Student").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    problems = [
        f"{v['impact']} {v['id']}: {v['help']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert problems == []


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}])
def test_admin_chooses_a_students_parents_by_keyboard(
    browser, live_server, admin, parent, other_parent, student, monkeypatch, viewport
):
    """The same picker on the student's edit form, for parents: found by email, added with the
    keyboard, saved; the form with its suggestions open passes the accessibility audit."""
    from tests.e2e.conftest import sign_in

    monkeypatch.setattr("ui.picker.FEW", 1)  # 50 in the app
    context = browser.new_context(base_url=live_server.url, viewport=viewport, bypass_csp=True)
    page = context.new_page()
    try:
        sign_in(page, admin)
        page.goto(f"/admin/academic/students/{student.pk}/edit/")
        assert page.locator(".chips .chip span").all_text_contents() == ["Paula Parent"]
        search = page.get_by_role("searchbox", name="Parents", exact=True)
        search.focus()
        page.keyboard.type("other@")
        page.get_by_role("button", name="Add Otto Other").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        page.keyboard.press("Enter")  # to the first parent found, not sending the form
        page.keyboard.press("Enter")
        assert page.locator("[data-picker-status]").text_content() == "Otto Other added."
        page.get_by_role("button", name="Remove Paula Parent").click()
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(f"**/admin/academic/students/{student.pk}/")
    finally:
        context.close()
    assert list(student.customers.all()) == [other_parent]
    problems = [
        f"{v['impact']} {v['id']}: {v['help']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert problems == []
