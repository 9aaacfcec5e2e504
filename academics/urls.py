from django.urls import path, re_path

from academics.lessons import views as lesson_views
from academics.students import views as student_views
from academics.tasks import views as task_views

app_name = "academics"
urlpatterns = [
    path("students/", student_views.student_list, name="student_list"),
    path("students/new/", student_views.student_create, name="student_create"),
    path("students/<int:student_id>/", student_views.student_detail, name="student_detail"),
    path("students/<int:student_id>/edit/", student_views.student_edit, name="student_edit"),
    path("students/<int:student_id>/archive/", student_views.student_archive, name="student_archive"),
    path("lessons/", lesson_views.lesson_list, name="lesson_list"),
    path("lessons/student-suggestions/", lesson_views.student_suggestions, name="lesson_student_suggestions"),
    path("lessons/week/", lesson_views.lesson_week, name="lesson_week"),
    path("lessons/new/", lesson_views.lesson_create, name="lesson_create"),
    path("lessons/new-series/", lesson_views.series_create, name="series_create"),
    path("lessons/<int:lesson_id>/", lesson_views.lesson_detail, name="lesson_detail"),
    path("lessons/<int:lesson_id>/edit/", lesson_views.lesson_edit, name="lesson_edit"),
    path("lessons/<int:lesson_id>/attendance/", lesson_views.attendance_mark, name="attendance_mark"),
    path(
        "lessons/<int:lesson_id>/attendance/all-present/",
        lesson_views.attendance_all_present,
        name="attendance_all_present",
    ),
    path("lessons/<int:lesson_id>/delete/", lesson_views.lesson_delete, name="lesson_delete"),
    path("lessons/restore/<int:event_id>/", lesson_views.lesson_restore, name="lesson_restore"),
    # The Lessons pages were "schedules" until one word named one thing: old links and bookmarks
    # get a permanent redirect to the same page.
    re_path(r"^schedules/(?P<rest>.*)$", lesson_views.old_schedules_address, name="old_schedules"),
    path("tasks/", task_views.task_list, name="task_list"),
    path("tasks/new/", task_views.task_create, name="task_create"),
    path("tasks/<int:task_id>/", task_views.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/edit/", task_views.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/active/", task_views.task_toggle_active, name="task_toggle_active"),
    path(
        "tasks/instances/<int:instance_id>/status/",
        task_views.task_instance_status,
        name="task_instance_status",
    ),
]
