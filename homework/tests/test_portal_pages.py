"""The parent portal's home (a card per child) and a child's page: what a parent reads there,
that another parent never sees it, and that the queries do not grow with the children."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from academics.lessons import services as lessons
from academics.models import Student
from academics.tasks import services as task_services
from academics.tasks.models import Recurrence, TaskInstance
from homework.models import Homework, HomeworkFile
from homework.services import homework_review
from media.models import MediaItem, MediaVariant
from media.tests.factories import failed_optimise_job, queued_optimise_job

pytestmark = pytest.mark.django_db


def hand_in(parent, student, title: str, *, kind: str = "document", name: str = "sheet.pdf", **extra):
    """Homework with one stored file (rows only: the pages read rows, never the file)."""
    homework = Homework.objects.create(student=student, submitted_by=parent, title=title, **extra)
    item = MediaItem.objects.create(
        uploader=parent,
        original_name=name,
        kind=kind,
        content_type="video/mp4" if kind == "video" else "application/pdf",
        size_bytes=2048,
    )
    MediaVariant.objects.create(
        item=item, role="original", storage_key=f"test/{uuid.uuid4()}", size_bytes=2048, content_type="x"
    )
    HomeworkFile.objects.create(homework=homework, media_item=item)
    return homework, item


def lesson(admin, students, *, days: float, subject: str = "Maths", **kw):
    start = timezone.now() + timedelta(days=days)
    return lessons.lesson_create(
        actor=admin,
        subject=subject,
        tutor=kw.pop("tutor", "Tom Tutor"),
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        students=students,
        **kw,
    )


def attend(admin, students, *, days: float, status: str = "present", subject: str = "Maths"):
    past = lesson(admin, students, days=days, subject=subject)
    for s in students:
        lessons.attendance_mark(actor=admin, lesson=past, student=s, status=status)
    return past


def daily_task(admin, students, title: str = "Times tables"):
    return task_services.task_create(
        actor=admin,
        title=title,
        students=students,
        start_date=timezone.localdate() - timedelta(days=3),
        recurrence=Recurrence.DAILY,
        instructions="Ten minutes, out loud.",
    )


def a_full_child(admin, parent, first_name: str) -> Student:
    """A child with a lesson to come, attendance, today's and yesterday's task and homework."""
    child = Student.objects.create(first_name=first_name, last_name="Parent", school_year="Year 4")
    child.customers.add(parent)
    lesson(admin, [child], days=2, subject=f"Chemistry for {first_name}")
    attend(admin, [child], days=-3)
    task = daily_task(admin, [child], f"Reading for {first_name}")
    TaskInstance.objects.create(task=task, student=child, date=timezone.localdate() - timedelta(days=1))
    hand_in(parent, child, f"Essay by {first_name}")
    _, video = hand_in(parent, child, f"Video by {first_name}", kind="video", name="v.mp4")
    queued_optimise_job(video)
    return child


def test_home_has_a_card_per_child_with_what_a_parent_needs(
    admin, parent, parent_client, student, other_student, other_parent
):
    sister = Student.objects.create(first_name="Sara", last_name="Student")
    sister.customers.add(parent)
    lesson(admin, [student, other_student], days=1, subject="Physics", location="Room 4")
    lesson(admin, [student], days=5, subject="Later physics")
    attend(admin, [student], days=-2, status="present")
    attend(admin, [student], days=-9, status="absent")
    attend(admin, [student], days=-40, status="late")  # older than four weeks: not counted
    daily_task(admin, [student])
    homework, _ = hand_in(parent, student, "Fractions worksheet")
    homework_review(actor=admin, homework=homework, comment="Well done, check question 3.")
    hand_in(other_parent, other_student, "Olive's essay")

    response = parent_client.get("/portal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert [c.student for c in response.context["cards"]] == [student, sister]  # by first name
    assert "Good " in html and "Paula" in html
    sam = html[
        html.index(f'data-entity="student:{student.pk}"') : html.index(f'data-entity="student:{sister.pk}"')
    ]
    assert "Physics with Tom Tutor" in sam and "Room 4" in sam and "Later physics" not in sam
    assert "Times tables" in sam and "0 of 1 done" in sam
    assert "Fractions worksheet" in sam and "Reviewed" in sam and "Well done, check question 3." in sam
    assert "Attended 1 of 2 lessons (1 absent)." in sam
    assert sam.count('class="dot dot-') == 2
    sara = html[html.index(f'data-entity="student:{sister.pk}"') :]
    assert "No lessons booked." in sara and "Nothing handed in yet." in sara and "No tasks today." in sara
    assert "Olive" not in html


def test_home_queries_do_not_grow_with_children(admin, parent, parent_client, django_assert_num_queries):
    a_full_child(admin, parent, "Ann")
    with django_assert_num_queries(HOME_QUERIES):
        parent_client.get("/portal/")
    for name in ("Bea", "Cal", "Dot"):
        a_full_child(admin, parent, name)
    with django_assert_num_queries(HOME_QUERIES):
        response = parent_client.get("/portal/")
    assert len(response.context["cards"]) == 4
    assert all(
        c.next_lesson and c.today_tasks and c.latest and c.attendance for c in response.context["cards"]
    )


# session, user, students, next lesson ids (a subquery) and those lessons, today's tasks and
# which were handed in, latest homework ids, that homework, its files, failed uploads and the
# videos' jobs, attendance: 13 for one child or forty
HOME_QUERIES = 13


def test_a_childs_page_shows_lessons_attendance_tasks_and_homework(admin, parent, parent_client, student):
    lesson(admin, [student], days=1, subject="Physics", location="Room 4")
    attend(admin, [student], days=-2, status="present")
    attend(admin, [student], days=-9, status="absent", subject="Biology")
    task = daily_task(admin, [student])
    yesterday = TaskInstance.objects.create(
        task=task, student=student, date=timezone.localdate() - timedelta(days=1), status="done"
    )
    hand_in(parent, student, "Fractions worksheet")

    response = parent_client.get(f"/portal/students/{student.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Physics" in html and "Room 4" in html
    assert '<span class="badge ok" data-role="attendance-status">Present</span>' in html
    assert '<span class="badge danger" data-role="attendance-status">Absent</span>' in html
    today = TaskInstance.objects.get(student=student, date=timezone.localdate())
    assert "Today" in html and reverse("portal:task_done", args=[today.pk]) in html
    assert reverse("portal:task_undo", args=[yesterday.pk]) in html  # yesterday's, done
    assert "Fractions worksheet" in html and "Received" in html


def test_a_childs_page_queries_do_not_grow(admin, parent, parent_client, django_assert_num_queries):
    child = a_full_child(admin, parent, "Ann")
    url = f"/portal/students/{child.pk}/"
    with django_assert_num_queries(CHILD_QUERIES):
        parent_client.get(url)
    for n in range(4):
        lesson(admin, [child], days=3 + n)
        attend(admin, [child], days=-5 - n)
        hand_in(parent, child, f"More {n}")
        daily_task(admin, [child], f"Task {n}")
    with django_assert_num_queries(CHILD_QUERIES):
        parent_client.get(url)


# session, user, the student, the week's tasks and which were handed in, lessons and their
# students, attendance, homework, its files, failed uploads and the videos' jobs
CHILD_QUERIES = 12


def test_a_childs_page_is_for_their_own_parents_only(
    parent_client, other_parent_client, admin_client, anon_client, student
):
    url = f"/portal/students/{student.pk}/"
    assert parent_client.get(url).status_code == 200
    assert other_parent_client.get(url).status_code == 404
    assert admin_client.get(url).status_code == 403
    assert anon_client.get(url).status_code == 302


def test_a_homework_card_polls_while_its_video_processes_and_stops_when_it_settles(
    parent, parent_client, student
):
    homework, video = hand_in(parent, student, "Piano practice", kind="video", name="piano.mp4")
    job = queued_optimise_job(video)
    url = reverse("portal:homework_card", args=[homework.pk])
    processing = parent_client.get(url).content.decode()
    assert 'data-settled="false"' in processing and f'hx-get="{url}"' in processing
    assert 'data-role="status">Processing<' in processing

    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=job).delete()  # the job is gone: what the failure left decides
    failed_optimise_job(video, "This file is not a video we can read (no video stream).")
    failed = parent_client.get(url).content.decode()
    assert 'data-settled="true"' in failed and "hx-get" not in failed
    assert "Could not process" in failed and "This file is not a video we can read" in failed

    MediaVariant.objects.create(
        item=video, role="web", storage_key=f"t/{uuid.uuid4()}", size_bytes=1, content_type="x"
    )
    ready = parent_client.get(url).content.decode()
    assert 'data-settled="true"' in ready and 'data-role="status">Ready<' in ready


def test_a_homework_card_is_for_its_own_parents_only(
    parent, other_parent_client, admin_client, anon_client, student
):
    homework, _ = hand_in(parent, student, "Essay")
    url = reverse("portal:homework_card", args=[homework.pk])
    response = other_parent_client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "homework_not_found"
    assert admin_client.get(url).status_code == 403
    assert anon_client.get(url).status_code == 302


def test_the_homework_form_can_start_with_a_child_and_their_task(admin, parent_client, student):
    task = daily_task(admin, [student], "Spelling")
    html = parent_client.get(f"/portal/homework/?student={student.pk}&task={task.pk}").content.decode()
    assert f'<option value="{student.pk}" data-entity="student:{student.pk}" selected>' in html
    assert f'data-entity="task:{task.pk}" selected>' in html
    assert parent_client.get("/portal/homework/?student=x&task=").status_code == 200


def test_a_task_with_homework_handed_in_shows_as_handed_in(admin, parent, parent_client, student):
    from homework.queries import handed_in_instance_ids

    daily = daily_task(admin, [student], "Reading log")
    today = TaskInstance.objects.get(task=daily)
    TaskInstance.objects.create(task=daily, student=student, date=timezone.localdate() - timedelta(days=1))
    once = task_services.task_create(
        actor=admin, title="Project", students=[student], start_date=timezone.localdate() - timedelta(days=2)
    )
    project = TaskInstance.objects.get(task=once)
    untouched = daily_task(admin, [student], "Spelling")
    assert handed_in_instance_ids(TaskInstance.objects.select_related("task")) == set()

    hand_in(parent, student, "Reading log", task_id=daily.pk)  # today: today's reading only
    hand_in(parent, student, "Project", task_id=once.pk)  # a one-off task: handed in whenever
    assert handed_in_instance_ids(TaskInstance.objects.select_related("task")) == {today.pk, project.pk}

    html = parent_client.get(reverse("portal:tasks")).content.decode()
    reading = html[html.index(f'data-entity="task_instance:{today.pk}"') :]
    assert 'data-role="handed-in"' in reading[: reading.index("</li>")]
    spelling = html[
        html.index(f'data-entity="task_instance:{TaskInstance.objects.get(task=untouched).pk}"') :
    ]
    spelling = spelling[: spelling.index("</li>")]
    assert 'data-role="handed-in"' not in spelling and "Hand in" in spelling
