from django.urls import URLPattern

app_name = "media"
urlpatterns: list[URLPattern] = []
