from django.urls import path

from ui import views

app_name = "ui"
urlpatterns = [path("", views.admin_home, name="admin_home")]
