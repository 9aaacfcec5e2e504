"""The step academics' writes share: set who a row is for, then record the change in the audit log."""

from collections.abc import Iterable
from typing import Any

from academics.lessons.models import Lesson, LessonSeries
from academics.students.models import Student
from academics.tasks.models import Task
from accounts.models import User
from audit.services import record_event

Recorded = Lesson | LessonSeries | Student | Task  # academics' rows: each has a snapshot()


def set_people_and_record(
    row: Recorded,
    *,
    actor: User,
    action: str,
    people: str,
    chosen: Iterable[Any] | None,
    before: dict[str, Any] | None = None,
    **extra: Any,
) -> None:
    """Link `row`'s people (`people` names the relation: a lesson's students, a student's
    customers) to `chosen`, unless it is None (an edit that leaves them), then record `action`
    with the row's snapshot after the change (and `extra` beside it), in the caller's transaction."""
    if chosen is not None:
        getattr(row, people).set(chosen)
    after = {**row.snapshot(), **extra}
    record_event(actor=actor, action=action, entity=row, before=before, after=after)
