from django.urls import path

from . import views

app_name = "sources"
urlpatterns = [
    path("", views.library, name="library"),
    path("upload/", views.upload, name="upload"),
    path("upload/preview/", views.upload_preview, name="upload_preview"),
    path("import-bibliography/", views.import_bibliography, name="import_bibliography"),
    path("<slug:slug>/", views.detail, name="detail"),
]
