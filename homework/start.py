"""The start page's homework item (registered in HomeworkConfig.ready)."""

from django.urls import reverse

from homework.models import Homework
from ui.start import StartItem


def start_items() -> list[StartItem]:
    """Homework handed in and not reviewed yet: one query."""
    count = Homework.objects.filter(status=Homework.Status.SUBMITTED).count()
    url = f"{reverse('homework:admin_list')}?status={Homework.Status.SUBMITTED}"
    return [StartItem("Homework to review", count, url, note="handed in, not reviewed yet")]
