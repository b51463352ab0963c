"""URLs of live updates, included by arguments/urls.py under /maps/."""

from django.urls import path

from . import live_views

urlpatterns = [
    path("<slug:slug>/events/", live_views.events_feed, name="events"),
    path("<slug:slug>/events/stream/", live_views.events_stream, name="events_stream"),
]
