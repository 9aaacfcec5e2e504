"""A paginator for lists that may hold millions of rows (the audit log).

Django's Paginator counts every row for "Page 3 of 20,000 · 1,000,000 in all": an exact count of
a million audit events took ~100 ms on PostgreSQL, more than the rest of the page (issue 21).
CappedPaginator counts no further than `cap` rows. Under the cap it is Django's Paginator. Over
it, the total reads "more than 10,000", and a page knows whether another follows by reading one
row more than it shows; any page can still be reached with Next (or ?page=N).
"""

from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet

CAP = 10_000


class CappedPage(Page[Any]):
    """A page of a list longer than the cap: whether a next page exists, it was told."""

    def __init__(self, object_list: Any, number: int, paginator: Paginator[Any], *, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def end_index(self) -> int:
        return self.start_index() + len(self) - 1


class CappedPaginator(Paginator[Any]):
    def __init__(self, object_list: Any, per_page: int, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        """The rows, counted up to cap + 1 (a subquery with a LIMIT): more than `cap` means
        "more than cap". Only the keys are counted, in no order: a per-row annotation (the
        Lessons list's attendance count) would otherwise run for every counted row."""
        if isinstance(self.object_list, QuerySet):
            return self.object_list.order_by().values("pk")[: self.cap + 1].count()
        return len(self.object_list[: self.cap + 1])

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number: Any) -> int:
        if not self.capped:
            return super().validate_number(number)
        try:  # no last page known: any whole number from 1
            whole = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if whole < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return whole

    def page(self, number: Any) -> Page[Any]:
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def get_page(self, number: Any) -> Page[Any]:
        """As Paginator.get_page; past the end of a capped list, the first page."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(1)
