"""CappedPaginator: Django's Paginator under the cap; over it, no exact count and Next as long
as rows follow."""

import pytest
from django.core.paginator import Paginator

from academy.paging import CappedPaginator
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _events(n: int) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(action="student.update", entity_kind="student", entity_id=str(i)) for i in range(n)
    )


def test_under_the_cap_it_is_djangos_paginator():
    _events(12)
    ours = CappedPaginator(AuditEvent.objects.order_by("id"), 5, cap=12)
    theirs = Paginator(AuditEvent.objects.order_by("id"), 5)
    assert not ours.capped and (ours.count, ours.num_pages) == (theirs.count, theirs.num_pages) == (12, 3)
    for number in (1, 3, "x", 99):
        a, b = ours.get_page(number), theirs.get_page(number)
        assert (list(a), a.number, a.has_next(), a.end_index()) == (
            list(b),
            b.number,
            b.has_next(),
            b.end_index(),
        )


def test_over_the_cap_it_counts_no_further_and_still_reaches_every_row(django_assert_num_queries):
    _events(23)
    pages = CappedPaginator(AuditEvent.objects.order_by("id"), 5, cap=10)
    with django_assert_num_queries(1):
        assert pages.capped and pages.count == 11
    seen, number = [], 1
    while True:
        with django_assert_num_queries(1):  # the rows, and one more to know if a page follows
            page = pages.get_page(number)
            rows = list(page)
        seen += [e.entity_id for e in rows]
        assert page.start_index() == 5 * (number - 1) + 1 and page.end_index() == len(seen)
        if not page.has_next():
            break
        number = page.next_page_number()
    assert seen == [str(i) for i in range(23)] and number == 5
    assert list(pages.get_page(99)) == list(pages.get_page(1))  # past the end: the first page
    assert pages.get_page("x").number == 1
