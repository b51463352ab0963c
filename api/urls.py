"""/api/v1/… (the REST API), /api/schema/ (its OpenAPI 3 schema) and /api/docs/ (the docs page)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import auth, content, maps
from .search import Search

app_name = "api"

MAP = "v1/maps/<slug:slug>/"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/auth/token/", auth.TokenView.as_view(), name="token"),
    path("v1/maps/", maps.MapList.as_view(), name="maps"),
    path("v1/imports/", maps.Import.as_view(), name="import"),
    path(MAP, maps.MapDetail.as_view(), name="map"),
    path(MAP + "members/", maps.MemberList.as_view(), name="members"),
    path(MAP + "members/<int:membership_id>/", maps.MemberDetail.as_view(), name="member"),
    path(MAP + "sources/", maps.SourceList.as_view(), name="sources"),
    path(MAP + "sources/<slug:source_slug>/", maps.SourceDetail.as_view(), name="source"),
    path(MAP + "passages/", maps.PassageList.as_view(), name="passages"),
    path(MAP + "passages/<int:passage_id>/", maps.PassageDetail.as_view(), name="passage"),
    path(MAP + "claims/", content.ClaimList.as_view(), name="claims"),
    path(MAP + "claims/<int:claim_id>/", content.ClaimDetail.as_view(), name="claim"),
    path(MAP + "relations/", content.RelationList.as_view(), name="relations"),
    path(MAP + "relations/<int:relation_id>/", content.RelationDetail.as_view(), name="relation"),
    path(MAP + "evidence/", content.EvidenceList.as_view(), name="evidence"),
    path(MAP + "evidence/<int:evidence_id>/", content.EvidenceDetail.as_view(), name="evidence-detail"),
    path(MAP + "comments/", content.CommentList.as_view(), name="comments"),
    path(MAP + "comments/<int:comment_id>/", content.CommentDetail.as_view(), name="comment"),
    path(MAP + "events/", content.EventList.as_view(), name="events"),
    path(MAP + "export/<str:export_format>/", maps.Export.as_view(), name="export"),
    path(MAP + "search/", Search.as_view(), name="search"),
]
