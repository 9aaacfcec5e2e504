from django.urls import path

from jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.insights, name="insights"),
    path("counts/", views.counts, name="counts"),
    path("bulk/", views.bulk, name="bulk"),
    path("<str:job_id>/", views.detail, name="detail"),
    path("<str:job_id>/rerun/", views.rerun, name="rerun"),
    path("<str:job_id>/delete/", views.delete, name="delete"),
]
