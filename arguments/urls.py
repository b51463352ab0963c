from django.urls import include, path

from . import claim_views, export_views, member_views, reader_urls, views

app_name = "arguments"
urlpatterns = [
    # The reader first: it is the page asked for most (live updates fetch it again), and Django tries
    # patterns in order. Its patterns are listed here, not included, which would cost another level of resolving.
    *reader_urls.urlpatterns,
    path("", views.map_list, name="list"),
    path("new/", views.map_new, name="new"),
    path("import/", export_views.map_import, name="import"),
    path("<slug:slug>/", views.map_detail, name="map"),
    path("<slug:slug>/settings/", views.map_settings, name="settings"),
    path("<slug:slug>/search/", views.map_search, name="search"),
    path("<slug:slug>/activity/", views.map_activity, name="activity"),
    path("<slug:slug>/members/", member_views.members, name="members"),
    path("<slug:slug>/members/invite/", member_views.invite, name="invite"),
    path("<slug:slug>/members/links/", member_views.create_link, name="create_link"),
    path("<slug:slug>/members/links/<int:invitation_id>/revoke/", member_views.revoke_link, name="revoke_link"),
    path("<slug:slug>/members/<int:membership_id>/", member_views.change_member, name="change_member"),
    path("<slug:slug>/leave/", member_views.leave, name="leave"),
    path("<slug:slug>/brief/", views.map_brief, name="brief"),
    path("<slug:slug>/add-source/", views.map_add_source, name="add_source"),
    path("<slug:slug>/claims/<int:claim_id>/", claim_views.claim_detail, name="claim"),
    path("<slug:slug>/claims/<int:claim_id>/comments/", claim_views.claim_comment, name="claim_comment"),
    path("<slug:slug>/claims/<int:claim_id>/edit/", claim_views.claim_edit, name="claim_edit"),
    path("<slug:slug>/claims/<int:claim_id>/delete/", claim_views.claim_delete, name="claim_delete"),
    path("<slug:slug>/delete/", views.map_delete, name="delete"),
    path("<slug:slug>/sources/<slug:source_slug>/remove/", views.map_remove_source, name="remove_source"),
    path("<slug:slug>/claims/<int:claim_id>/respond/", claim_views.claim_respond, name="claim_respond"),
    path("<slug:slug>/relations/<int:relation_id>/", claim_views.relation_edit, name="relation_edit"),
    path("", include("arguments.graph_urls")),
    path("", include("arguments.export_urls")),
    path("", include("arguments.live_urls")),
]
