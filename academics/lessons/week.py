"""The Lessons week view as a calendar: seven day columns on one time axis.

Positions are computed here (percentages of the visible hours), so the template only places
boxes. Lessons that overlap on a day share its width side by side, as in any calendar.

Every text a cell shows is made here too (its link, its time, its students' names), once per
cell: a busy week has ~170 lessons and ~170 empty hours, each drawn twice (calendar and phone
list), and the template engine's per-cell {% url %}, date filters and prefetched `.all()` loops
took ~150 ms of a 180 ms page (bench/pages.py "lessons (week)"). Plain attributes render fast."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from academics.lessons.models import Lesson
from ui.text import day as day_text

FIRST_HOUR, LAST_HOUR = 8, 20  # shown at least; widened to fit earlier or later lessons


@dataclass
class Placed:
    lesson: Lesson
    top: float  # percent of the day column
    height: float
    url: str
    time: str  # "15:30", in the academy's time zone
    names: str  # the students' first names, "Alice, Ben"
    lane: int = 0
    lanes: int = 1

    @property
    def left(self) -> float:
        return round(100 * self.lane / self.lanes, 2)

    @property
    def width(self) -> float:
        return round(100 / self.lanes, 2)

    @property
    def place(self) -> str:
        """data-place for app.js: "top height left width" in percent."""
        return f"{self.top} {self.height} {self.left} {self.width}"


@dataclass
class Slot:
    """An empty hour to click: a new lesson starting then."""

    start: datetime
    at: str  # the new-lesson form's ?at= value, "2026-12-01T15:00"
    when: str  # "Tue 1 Dec 2026, 15:00"
    time: str  # "15:00"


@dataclass
class Day:
    date: date
    is_today: bool
    lessons: list[Placed] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)  # one per hour: "new lesson at ..."


@dataclass
class Week:
    start: date
    days: list[Day]
    hours: list[int]

    @property
    def is_this_week(self) -> bool:
        return any(d.is_today for d in self.days)


def _minutes(moment: datetime) -> int:
    local = timezone.localtime(moment)
    return local.hour * 60 + local.minute


def _lanes(placed: list[Placed]) -> None:
    """Side by side where lessons overlap: each cluster of overlapping lessons shares the width."""
    cluster: list[Placed] = []
    cluster_end = -1.0
    lane_ends: list[float] = []

    def close() -> None:
        for p in cluster:
            p.lanes = len(lane_ends)

    for p in sorted(placed, key=lambda p: (p.top, -p.height)):
        if cluster and p.top >= cluster_end:
            close()
            cluster, lane_ends = [], []
        free = next((i for i, end in enumerate(lane_ends) if end <= p.top), None)
        if free is None:
            lane_ends.append(p.top + p.height)
            p.lane = len(lane_ends) - 1
        else:
            lane_ends[free] = p.top + p.height
            p.lane = free
        cluster.append(p)
        cluster_end = max(cluster_end, p.top + p.height)
    close()


def _slots(day: date, hours: range) -> list[Slot]:
    """The day's empty hours; the day is written once, not once an hour ("Tue 1 Dec 2026")."""
    tz = timezone.get_current_timezone()
    written, iso = day_text(day), day.isoformat()
    return [
        Slot(datetime.combine(day, time(h), tz), f"{iso}T{h:02d}:00", f"{written}, {h:02d}:00", f"{h:02d}:00")
        for h in hours
    ]


def _first_names(lessons: list[Lesson]) -> dict[int, str]:
    """Each lesson's students' first names ("Alice, Ben"), in name order, from one query of
    names: prefetching the students built a manager and a model a student, which cost more
    than all the page's SQL."""
    rows = (
        Lesson.students.through.objects.filter(lesson_id__in=[lesson.pk for lesson in lessons])
        .order_by("student__last_name", "student__first_name", "student_id")
        .values_list("lesson_id", "student__first_name")
    )
    names: dict[int, list[str]] = defaultdict(list)
    for lesson_id, first_name in rows:
        names[lesson_id].append(first_name)
    return {lesson_id: ", ".join(firsts) for lesson_id, firsts in names.items()}


def build_week(start: date, lessons: list[Lesson], today: date) -> Week:
    first, last = FIRST_HOUR, LAST_HOUR
    for lesson in lessons:
        first = min(first, _minutes(lesson.starts_at) // 60)
        last = max(last, min(24, -(-_minutes(lesson.ends_at) // 60) or 24))
    span = (last - first) * 60
    days = []
    for n in range(7):
        day = start + timedelta(days=n)
        days.append(Day(day, day == today, slots=_slots(day, range(first, last))))
    names = _first_names(lessons)
    for lesson in lessons:
        local = timezone.localtime(lesson.starts_at)
        index = (local.date() - start).days
        if not 0 <= index < 7:
            continue
        begin = local.hour * 60 + local.minute - first * 60
        length = max(20, (lesson.ends_at - lesson.starts_at).total_seconds() / 60)
        days[index].lessons.append(
            Placed(
                lesson,
                round(100 * begin / span, 3),
                round(100 * min(length, span - begin) / span, 3),
                url=reverse("academics:lesson_detail", kwargs={"lesson_id": lesson.pk}),
                time=f"{local.hour:02d}:{local.minute:02d}",
                names=names.get(lesson.pk, ""),
            )
        )
    for d in days:
        _lanes(d.lessons)
    return Week(start=start, days=days, hours=list(range(first, last)))
