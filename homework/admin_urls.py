from django.urls import path

from homework import admin_views

app_name = "homework"
urlpatterns = [
    path("", admin_views.admin_list, name="admin_list"),
    path("<int:homework_id>/", admin_views.admin_detail, name="admin_detail"),
    path("<int:homework_id>/review/", admin_views.admin_review, name="admin_review"),
]
