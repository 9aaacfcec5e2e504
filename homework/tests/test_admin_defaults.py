"""Admin > Homework opens on the to-do list: what was handed in and is not reviewed yet."""

import pytest
from django.urls import reverse

from homework.models import Homework

pytestmark = pytest.mark.django_db


def test_opens_on_submitted_and_all_shows_everything(admin_client, parent, student):
    Homework.objects.create(student=student, submitted_by=parent, title="To review")
    Homework.objects.create(student=student, submitted_by=parent, title="Done", status="reviewed")
    url = reverse("homework:admin_list")
    default = admin_client.get(url)
    assert default.context["status"] == "submitted"
    assert [r.homework.title for r in default.context["rows"]] == ["To review"]
    everything = admin_client.get(url, {"status": "all"})
    assert {r.homework.title for r in everything.context["rows"]} == {"To review", "Done"}
