"""The portal pages academics owns (lessons, tasks); academy/urls.py composes them with
homework's under the one `portal:` namespace."""

from django.urls import path

from academics.lessons import portal_views as lesson_portal
from academics.tasks import portal_views as task_portal

urlpatterns = [
    path("lessons/", lesson_portal.lessons, name="lessons"),
    path("tasks/", task_portal.tasks, name="tasks"),
    path("tasks/<int:instance_id>/done/", task_portal.task_done, name="task_done"),
    path("tasks/<int:instance_id>/undo/", task_portal.task_undo, name="task_undo"),
]
