from django.urls import path

from homework import portal_views, upload_views

app_name = "portal"
urlpatterns = [
    path("", portal_views.portal_home, name="home"),
    path("students/<int:student_id>/", portal_views.portal_student, name="student"),
    path("homework/", portal_views.portal_homework, name="homework"),
    path("homework/<int:homework_id>/card/", portal_views.portal_homework_card, name="homework_card"),
    path("homework/files/<int:variant_id>/", portal_views.portal_file, name="file"),
    path("homework/uploads/", upload_views.upload_create, name="upload_create"),
    path("homework/uploads/<int:session_id>/", upload_views.upload_status, name="upload_status"),
    path("homework/uploads/<int:session_id>/chunk/", upload_views.upload_chunk, name="upload_chunk"),
    path("homework/uploads/<int:session_id>/complete/", upload_views.upload_complete, name="upload_complete"),
    path("homework/uploads/<int:session_id>/abort/", upload_views.upload_abort, name="upload_abort"),
]
