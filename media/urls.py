from django.urls import path

from media import views

app_name = "media"
urlpatterns = [
    path("", views.insights, name="insights"),
    path("optimise-all/", views.optimise_all, name="optimise_all"),
    path("<int:media_id>/", views.detail, name="detail"),
    path("<int:media_id>/optimise/", views.optimise, name="optimise"),
    path("files/<int:variant_id>/", views.variant_file, name="variant_file"),
]
