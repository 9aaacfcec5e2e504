"""The start page's academic items (registered in AcademicsConfig.ready)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from academics.lessons.models import Lesson
from academics.lessons.services import attendance_max_future
from ui.start import StartItem


def start_items() -> list[StartItem]:
    """Today's and yesterday's lessons still needing attendance: one query."""
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    count = Lesson.objects.attendance_due(
        since=yesterday, until=timezone.now() + attendance_max_future()
    ).count()
    query = urlencode({"from": yesterday.isoformat(), "to": today.isoformat(), "needs": "attendance"})
    return [
        StartItem(
            title="Lessons needing attendance",
            count=count,
            url=f"{reverse('academics:lesson_list')}?{query}",
            note="today and yesterday",
        )
    ]
