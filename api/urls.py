"""/api/v1/… (the REST API), /api/schema/ (its OpenAPI 3 schema) and /api/docs/ (the docs page).

One router lists the resources; those inside a map carry the map's slug in their prefix, which DRF's
own router takes as it is (no nested-router package needed for one level of nesting).
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import auth, content, maps
from .assist import EvidenceSuggestions, LinkSuggestions, SimilarClaims
from .search import Search

app_name = "api"

MAP = "v1/maps/<slug:slug>/"

# SimpleRouter rather than DefaultRouter: the API's index is its schema, not a browsable root view.
router = SimpleRouter(use_regex_path=False)
router.register("v1/maps", maps.Maps, basename="map")
router.register(MAP + "members", maps.Members, basename="member")
router.register(MAP + "sources", maps.Sources, basename="source")
router.register(MAP + "passages", maps.Passages, basename="passage")
router.register(MAP + "claims", content.Claims, basename="claim")
router.register(MAP + "relations", content.Relations, basename="relation")
router.register(MAP + "evidence", content.EvidenceViewSet, basename="evidence")
router.register(MAP + "comments", content.Comments, basename="comment")
router.register(MAP + "events", content.Events, basename="event")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file of its own: no inline script under the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/auth/token/", auth.TokenView.as_view(), name="token"),
    path("v1/imports/", maps.Import.as_view(), name="import"),
    path(MAP + "export/<str:export_format>/", maps.Export.as_view({"get": "retrieve"}), name="export"),
    path(MAP + "search/", Search.as_view(), name="search"),
    path(MAP + "similar-claims/", SimilarClaims.as_view(), name="similar_claims"),
    path(MAP + "link-suggestions/", LinkSuggestions.as_view(), name="link_suggestions"),
    path(
        MAP + "claims/<int:claim_id>/evidence-suggestions/", EvidenceSuggestions.as_view(), name="evidence_suggestions"
    ),
    *router.urls,
]
