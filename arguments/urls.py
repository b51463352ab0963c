"""Every URL of the arguments app, mounted under /maps/ (config/urls.py). URL names are stable: pages,
templates and tests reverse them as "arguments:<name>"."""

from django.urls import path

from .exports import views as exports
from .live import views as live
from .reader import history_views as text_history
from .reader import text_views as source_text
from .reader import views as reader
from .views import assist, claims, debate, graph, maps, members, sources

app_name = "arguments"
urlpatterns = [
    # Maps
    path("", maps.map_list, name="list"),
    path("new/", maps.map_new, name="new"),
    path("import/", exports.map_import, name="import"),
    path("<slug:slug>/", maps.map_detail, name="map"),
    path("<slug:slug>/settings/", maps.map_settings, name="settings"),
    path("<slug:slug>/delete/", maps.map_delete, name="delete"),
    path("<slug:slug>/search/", maps.map_search, name="search"),
    path("<slug:slug>/activity/", maps.map_activity, name="activity"),
    path("<slug:slug>/brief/", maps.map_brief, name="brief"),
    path("<slug:slug>/add-source/", maps.map_add_source, name="add_source"),
    path("<slug:slug>/upload/", sources.map_upload, name="upload_sources"),
    path("<slug:slug>/sources/<slug:source_slug>/remove/", maps.map_remove_source, name="remove_source"),
    # Members
    path("<slug:slug>/members/", members.members, name="members"),
    path("<slug:slug>/members/invite/", members.invite, name="invite"),
    path("<slug:slug>/members/links/", members.create_link, name="create_link"),
    path("<slug:slug>/members/links/<int:invitation_id>/revoke/", members.revoke_link, name="revoke_link"),
    path("<slug:slug>/members/<int:membership_id>/", members.change_member, name="change_member"),
    path("<slug:slug>/leave/", members.leave, name="leave"),
    # Claims and relations
    path("<slug:slug>/motion/", debate.map_motion, name="motion"),
    path("<slug:slug>/theses/", debate.add_thesis, name="add_thesis"),
    path("<slug:slug>/outline/<int:claim_id>/", debate.outline_children, name="outline_children"),
    path("<slug:slug>/claims/<int:claim_id>/quotes/", debate.claim_quotes, name="claim_quotes"),
    path("<slug:slug>/claims/<int:claim_id>/focus/", debate.claim_focus, name="claim_focus"),
    path("<slug:slug>/claims/<int:claim_id>/place/", debate.claim_place, name="claim_place"),
    path("<slug:slug>/claims/<int:claim_id>/", claims.claim_detail, name="claim"),
    path("<slug:slug>/claims/<int:claim_id>/comments/", claims.claim_comment, name="claim_comment"),
    path("<slug:slug>/claims/<int:claim_id>/edit/", claims.claim_edit, name="claim_edit"),
    path("<slug:slug>/claims/<int:claim_id>/delete/", claims.claim_delete, name="claim_delete"),
    path("<slug:slug>/claims/<int:claim_id>/respond/", claims.claim_respond, name="claim_respond"),
    path("<slug:slug>/relations/<int:relation_id>/", claims.relation_edit, name="relation_edit"),
    # Warrant suggests (docs/assist.md): evidence for a claim, similar claims while typing
    path("<slug:slug>/claims/<int:claim_id>/suggestions/", assist.evidence_suggestions, name="evidence_suggestions"),
    path("<slug:slug>/claims/<int:claim_id>/suggestions/accept/", assist.accept_suggestion, name="accept_suggestion"),
    path("<slug:slug>/similar-claims/", assist.similar, name="similar_claims"),
    path("<slug:slug>/link-suggestions/", assist.link_suggestions, name="link_suggestions"),
    path("<slug:slug>/link-suggestions/decide/", assist.decide_link_suggestion, name="decide_link"),
    # The reader: a source read and annotated inside the map, its text edited and its history, orphans re-attached
    path("<slug:slug>/sources/<slug:source_slug>/", reader.map_source, name="source"),
    path("<slug:slug>/sources/<slug:source_slug>/annotate/", reader.annotate, name="annotate"),
    path(
        "<slug:slug>/sources/<slug:source_slug>/evidence/<int:evidence_id>/",
        reader.evidence_edit,
        name="reader_evidence_edit",
    ),
    path(
        "<slug:slug>/sources/<slug:source_slug>/evidence/<int:evidence_id>/delete/",
        reader.evidence_delete,
        name="reader_evidence_delete",
    ),
    path("<slug:slug>/sources/<slug:source_slug>/edit-text/", source_text.edit_text, name="source_edit_text"),
    path("<slug:slug>/sources/<slug:source_slug>/history/", text_history.text_history, name="source_history"),
    path(
        "<slug:slug>/sources/<slug:source_slug>/history/<int:revision>/",
        text_history.text_revision,
        name="source_revision",
    ),
    path(
        "<slug:slug>/sources/<slug:source_slug>/passages/<int:passage_id>/reattach/",
        source_text.reattach,
        name="reattach",
    ),
    # The graph
    path("<slug:slug>/graph/", graph.map_graph, name="graph"),
    path("<slug:slug>/graph/claims/<int:claim_id>/", graph.graph_claim, name="graph_claim"),
    # Downloads
    path("<slug:slug>/export/", exports.map_export, name="export"),
    path("<slug:slug>/export/<str:format>/", exports.map_export_format, name="export_format"),
    # Live updates
    path("<slug:slug>/events/", live.events_feed, name="events"),
    path("<slug:slug>/events/stream/", live.events_stream, name="events_stream"),
]
