from django.urls import path

from incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("refresh/", views.incidents_refresh, name="refresh"),
    path("<int:incident_id>/", views.incident_detail, name="detail"),
    path("<int:incident_id>/status/", views.incident_transition, name="transition"),
    path("<int:incident_id>/assign/", views.incident_assign, name="assign"),
    path("<int:incident_id>/mute/", views.incident_mute, name="mute"),
]
