"""Every read the homework pages need, as named functions with pinned query counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Min, Prefetch, Q, QuerySet, Sum

from homework.models import Homework, UploadSession
from media.models import MediaItem
from media.queries import MediaRow, rows_for

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class UploadUsage:
    open_sessions: int
    bytes_since: int  # declared sizes of uploads started since `since`, cancelled ones excepted
    oldest_counted_at: datetime | None  # when the first of those started: it leaves the window first


def upload_usage(user: User, *, since: datetime) -> UploadUsage:
    """What a customer has open and has started recently (one query), for the upload caps."""
    counted = Q(created_at__gte=since) & ~Q(state=UploadSession.State.ABORTED, error_code="")
    facts = UploadSession.objects.filter(uploader=user).aggregate(
        open_sessions=Count("pk", filter=Q(state=UploadSession.State.OPEN)),
        bytes_since=Sum("declared_size", filter=counted),
        oldest=Min("created_at", filter=counted),
    )
    return UploadUsage(facts["open_sessions"], facts["bytes_since"] or 0, facts["oldest"])


@dataclass
class HomeworkRow:
    homework: Homework
    files: list[MediaRow]
    failed_uploads: list[UploadSession]


def _with_files(qs: QuerySet[Homework]) -> list[HomeworkRow]:
    """Homework with each file's derived state (from variants and jobs): a fixed number of queries."""
    homework = list(
        qs.select_related("student", "submitted_by", "reviewed_by").prefetch_related(
            Prefetch("media", queryset=MediaItem.objects.with_variant_facts().order_by("id")),
            Prefetch(
                "upload_sessions",
                queryset=UploadSession.objects.filter(state=UploadSession.State.FAILED).order_by("id"),
                to_attr="failed",
            ),
        )
    )
    items = [item for hw in homework for item in hw.media.all()]
    by_item = {row.item.pk: row for row in rows_for(items)}
    return [
        HomeworkRow(hw, [by_item[i.pk] for i in hw.media.all()], list(getattr(hw, "failed", [])))
        for hw in homework
    ]


def portal_homework(user: User, limit: int = 50) -> list[HomeworkRow]:
    """A customer's own students' homework, newest first."""
    return _with_files(Homework.objects.filter(student__customers=user).order_by("-created_at")[:limit])


def admin_homework(*, status: str = "", student_id: int | None = None) -> QuerySet[Homework]:
    qs = Homework.objects.select_related("student", "submitted_by").order_by("-created_at")
    if status:
        qs = qs.filter(status=status)
    if student_id:
        qs = qs.filter(student_id=student_id)
    return qs


def rows(qs: QuerySet[Homework]) -> list[HomeworkRow]:
    return _with_files(qs)


def student_homework(student_id: int, limit: int = 20) -> list[HomeworkRow]:
    """The admin student page's homework section."""
    return _with_files(Homework.objects.filter(student_id=student_id).order_by("-created_at")[:limit])
