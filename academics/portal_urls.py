from django.urls import path

from academics import portal_views

app_name = "portal_academic"
urlpatterns = [
    path("lessons/", portal_views.lessons, name="lessons"),
    path("tasks/", portal_views.tasks, name="tasks"),
    path("tasks/<int:instance_id>/done/", portal_views.task_done, name="task_done"),
    path("tasks/<int:instance_id>/undo/", portal_views.task_undo, name="task_undo"),
]
