from django.urls import path

from . import views

app_name = "sources"
urlpatterns = [
    path("", views.library, name="library"),
    path("upload/", views.upload, name="upload"),
    path("upload/preview/", views.upload_preview, name="upload_preview"),
    path("<slug:slug>/", views.detail, name="detail"),
]
