"""Every page of the parent portal at phone width (390 x 844), with data that stretches it (long
names, links and file names): no visible button or link lies outside the viewport or is cut
off by a scrolling box, nothing scrolls sideways, and the menu is a drawer that closes."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from academics.lessons import services as lessons
from academics.models import Student
from academics.tasks import services as task_services
from academics.tasks.models import Recurrence
from homework.models import Homework
from homework.services import homework_review
from homework.tests.test_portal_pages import hand_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}

# Every visible control, checked against the viewport and against each ancestor that clips or
# scrolls. The skip link sits off-screen on purpose until it is focused.
PROBLEMS = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px wide`);
  }
  const controls = 'a[href], button, select, input:not([type=hidden]), textarea, summary, [role=button]';
  for (const el of document.querySelectorAll(controls)) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!r.width || !r.height || style.visibility === 'hidden' || el.classList.contains('skip-link')) continue;
    const name = (el.getAttribute('aria-label') || el.innerText || el.name || el.tagName).trim().slice(0, 50);
    if (r.left < -0.5 || r.right > width + 0.5) problems.push(`outside the viewport: ${name}`);
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const s = getComputedStyle(box);
      const b = box.getBoundingClientRect();
      const clipsX = s.overflowX !== 'visible', clipsY = s.overflowY === 'hidden' || s.overflowY === 'clip';
      if ((clipsX && (r.left < b.left - 0.5 || r.right > b.right + 0.5)) ||
          (clipsY && (r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5))) {
        problems.push(`cut off by ${box.tagName.toLowerCase()}.${box.className}: ${name}`);
        break;
      }
    }
  }
  return problems;
}"""


@pytest.fixture
def family(admin, parent, student):
    """Two children with a week of everything, and some long words to wrap."""
    sister = Student.objects.create(
        first_name="Maximiliana-Josephine", last_name="Student-Featherstonehaugh", school_year="Year 3"
    )
    sister.customers.add(parent)
    now = timezone.now()
    for days, who in ((1, [student, sister]), (3, [student])):
        start = now + timedelta(days=days)
        lessons.lesson_create(
            actor=admin,
            subject="Chemistry and the periodic table",
            tutor="Dr Bartholomew Longname",
            location="https://meet.example.academy/room/chemistry-year-five-thursday-afternoon",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            students=who,
        )
    past = now - timedelta(days=2)
    done = lessons.lesson_create(
        actor=admin,
        subject="Maths",
        tutor="Tom Tutor",
        starts_at=past,
        ends_at=past + timedelta(hours=1),
        students=[student, sister],
    )
    lessons.attendance_mark(actor=admin, lesson=done, student=student, status="present")
    lessons.attendance_mark(
        actor=admin, lesson=done, student=sister, status="late", note="The bus was late again"
    )
    task = task_services.task_create(
        actor=admin,
        title="Read for twenty minutes and write down the title",
        students=[student, sister],
        start_date=timezone.localdate() - timedelta(days=2),
        recurrence=Recurrence.DAILY,
        instructions="Any book; note the title and one new word.",
    )
    hand_in(parent, student, "Fractions worksheet", task_id=task.pk)
    reviewed, _ = hand_in(
        parent, sister, "Piano practice", kind="video", name="piano-practice-recording-final-version-2.mp4"
    )
    homework_review(actor=admin, homework=reviewed, comment="Lovely phrasing; slow down in bar 12.")
    return [student, sister]


def portal_pages(children) -> list[str]:
    return ["/portal/", "/portal/lessons/", "/portal/tasks/", "/portal/homework/"] + [
        f"/portal/students/{c.pk}/" for c in children
    ]


def test_every_portal_page_fits_a_phone(page, login, parent, family):
    page.set_viewport_size(PHONE)
    login(parent)
    assert Homework.objects.count() == 2
    for url in portal_pages(family):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(PROBLEMS) == [], url
    assert page.console_errors == []


def test_the_menu_is_a_drawer_with_a_backdrop_and_a_close_button(page, login, parent, family):
    page.set_viewport_size(PHONE)
    login(parent)
    page.goto("/portal/")
    menu = page.get_by_role("button", name="Menu", exact=True)
    drawer = page.get_by_role("navigation", name="Main")
    expect(drawer).to_be_hidden()
    menu.click()
    expect(drawer).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".nav-backdrop")).to_be_visible()
    assert page.evaluate(PROBLEMS) == []
    page.get_by_role("button", name="Close menu").click()
    expect(drawer).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")

    menu.click()
    page.mouse.click(380, 500)  # on the backdrop, beside the drawer
    expect(drawer).to_be_hidden()
    menu.click()
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    menu.click()
    drawer.get_by_role("link", name="Tasks").click()
    expect(page).to_have_url(re.compile(r"/portal/tasks/$"))
    expect(page.get_by_role("heading", name="Today's tasks")).to_be_visible()
