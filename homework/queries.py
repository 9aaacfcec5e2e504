"""Every read the homework pages need, as named functions with pinned query counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from academics.models import Student
from homework.models import Homework, UploadSession
from media.models import MediaItem
from media.queries import MediaRow, rows_for

if TYPE_CHECKING:
    from academics.tasks.models import TaskInstance
    from accounts.models import User

# A file still on its way to "ready" (its job is queued or running): the portal keeps asking.
UNSETTLED = frozenset({"queued"})


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

    @property
    def settled(self) -> bool:
        """Nothing left to change by itself: no file waiting for its processing job."""
        return not any(f.state in UNSETTLED for f in self.files)

    @property
    def state(self) -> tuple[str, str]:
        """(label, badge class) a parent reads: reviewed, could not process, processing, ready or
        received. Derived from the review and the files' own states, never stored."""
        if self.homework.status == Homework.Status.REVIEWED:
            return "Reviewed", "ok"
        states = {f.state for f in self.files}
        if states & {"failed", "refused"}:
            return "Could not process", "danger"
        if states & UNSETTLED:
            return "Processing", "info"
        if "optimised" in states:
            return "Ready", "ok"
        if states:
            return "Received", "ok"
        return ("Upload failed", "danger") if self.failed_uploads else ("No files yet", "")


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


def portal_homework_card(user: User, homework_id: int) -> HomeworkRow | None:
    """One of a customer's own students' homework with its files, for the card that polls."""
    found = _with_files(Homework.objects.filter(pk=homework_id, student__customers=user))
    return found[0] if found else None


def latest_for_students(student_ids: Sequence[int]) -> dict[int, HomeworkRow]:
    """Each student's newest homework with its files, in a fixed number of queries."""
    if not student_ids:
        return {}
    newest = Homework.objects.filter(student=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    ids = Student.objects.filter(pk__in=student_ids).annotate(latest=Subquery(newest))
    latest = [pk for pk in ids.values_list("latest", flat=True) if pk is not None]
    return {row.homework.student_id: row for row in _with_files(Homework.objects.filter(pk__in=latest))}


def handed_in_instance_ids(instances: Sequence[TaskInstance]) -> set[int]:
    """Task instances with homework handed in for them, in one query: for a one-off task any
    homework for it, for a recurring task homework handed in on the instance's own day."""
    if not instances:
        return set()
    handed = Homework.objects.filter(
        task_id__in={i.task_id for i in instances}, student_id__in={i.student_id for i in instances}
    ).values_list("task_id", "student_id", "created_at")
    days: dict[tuple[int | None, int], set[date]] = {}
    for task_id, student_id, created_at in handed:
        days.setdefault((task_id, student_id), set()).add(timezone.localdate(created_at))
    return {
        i.pk
        for i in instances
        if (i.task_id, i.student_id) in days
        and (not i.task.is_recurring or i.date in days[(i.task_id, i.student_id)])
    }


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
