"""The Media page names whose file it is through media's owner registry (homework fills it in)."""

import pytest
from django.urls import reverse

from homework.models import Homework
from homework.tests.conftest import PDF
from media.models import MediaItem

pytestmark = pytest.mark.django_db


def test_media_page_names_the_student_and_links_the_homework(
    local_storage, admin_client, parent_client, student, upload, django_assert_num_queries
):
    body = upload(parent_client, student, "worksheet.pdf", PDF, "application/pdf").json()
    item = MediaItem.objects.get(pk=body["media"])
    homework = Homework.objects.get()

    page = admin_client.get(reverse("media:insights")).content.decode()
    row = page[page.index(f'data-entity="media:{item.pk}"') :]
    assert f'<td data-label="Student">{student.full_name}</td>' in row[: row.index("</tr>")]
    # the owner comes joined into the page's own queries: as many as for items nobody owns
    with django_assert_num_queries(7):
        admin_client.get(reverse("media:insights"), {"sort": "owner"})

    detail = admin_client.get(reverse("media:detail", args=[item.pk])).content.decode()
    assert f"Student: {student.full_name}" in detail
    link = reverse("homework:admin_detail", args=[homework.pk])
    assert f'Homework <a href="{link}">{homework.title}</a>' in detail


def test_owner_sort_orders_by_the_students_last_name(
    local_storage, admin_client, parent, parent_client, student, upload
):
    from academics.models import Student

    other = Student.objects.create(first_name="Abe", last_name="Aaronson")
    other.customers.add(parent)
    first = upload(parent_client, student, "a.pdf", PDF, "application/pdf").json()["media"]
    second = upload(parent_client, other, "b.pdf", PDF, "application/pdf").json()["media"]
    page = admin_client.get(reverse("media:insights"), {"sort": "owner"}).content.decode()
    assert page.index(f'data-entity="media:{second}"') < page.index(f'data-entity="media:{first}"')
