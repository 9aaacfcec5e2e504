from django.urls import path

from homework import portal_views

app_name = "portal"
urlpatterns = [
    path("", portal_views.portal_home, name="home"),
    path("students/<int:student_id>/", portal_views.portal_student, name="student"),
]
