"""What the Media page shows of a homework file's owner (registered in HomeworkConfig.ready):
the student's name, and a link to the homework it was handed in with."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from media.models import MediaItem
from media.owners import Owner, OwnerSource


def describe(item: MediaItem) -> Owner | None:
    try:
        # The reverse relation is declared by homework (above media), so media's model cannot
        # name it; joined by `related`.
        homework = item.homework_file.homework  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None  # not handed in as homework (e.g. a file a test stored)
    return Owner(
        name=homework.student.full_name,
        context="Homework",
        title=homework.title,
        url=reverse("homework:admin_detail", args=[homework.pk]),
    )


SOURCE = OwnerSource(
    heading="Student",
    related="homework_file__homework__student",
    sort_by="homework_file__homework__student__last_name",
    describe=describe,
)
