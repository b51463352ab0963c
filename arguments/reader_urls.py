"""URLs of the annotating reader, listed first among the map URLs in arguments/urls.py (under /maps/)."""

from django.urls import path

from . import reader_views, source_text_views

urlpatterns = [
    path("<slug:slug>/sources/<slug:source_slug>/", reader_views.map_source, name="source"),
    path("<slug:slug>/sources/<slug:source_slug>/annotate/", reader_views.annotate, name="annotate"),
    path(
        "<slug:slug>/sources/<slug:source_slug>/evidence/<int:evidence_id>/",
        reader_views.evidence_edit,
        name="reader_evidence_edit",
    ),
    path(
        "<slug:slug>/sources/<slug:source_slug>/evidence/<int:evidence_id>/delete/",
        reader_views.evidence_delete,
        name="reader_evidence_delete",
    ),
    path("<slug:slug>/sources/<slug:source_slug>/edit-text/", source_text_views.edit_text, name="source_edit_text"),
    path(
        "<slug:slug>/sources/<slug:source_slug>/passages/<int:passage_id>/reattach/",
        source_text_views.reattach,
        name="reattach",
    ),
]
