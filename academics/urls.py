from django.urls import path

from academics import student_views

app_name = "academics"
urlpatterns = [
    path("students/", student_views.student_list, name="student_list"),
    path("students/new/", student_views.student_create, name="student_create"),
    path("students/<int:student_id>/", student_views.student_detail, name="student_detail"),
    path("students/<int:student_id>/edit/", student_views.student_edit, name="student_edit"),
    path("students/<int:student_id>/archive/", student_views.student_archive, name="student_archive"),
]
