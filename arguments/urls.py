from django.urls import path

from . import views

app_name = "arguments"
urlpatterns = [
    path("", views.map_list, name="list"),
    path("new/", views.map_new, name="new"),
    path("<slug:slug>/", views.map_detail, name="map"),
    path("<slug:slug>/settings/", views.map_settings, name="settings"),
    path("<slug:slug>/add-source/", views.map_add_source, name="add_source"),
    path("<slug:slug>/sources/<slug:source_slug>/", views.map_source, name="source"),
]
