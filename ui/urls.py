from django.urls import path
from django.views.generic import RedirectView

app_name = "ui"
urlpatterns = [
    # The admin area starts at its first page; there is no separate dashboard.
    path("", RedirectView.as_view(pattern_name="academics:student_list"), name="admin_home"),
]
