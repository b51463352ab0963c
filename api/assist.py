"""Warrant suggests, as JSON (docs/assist.md): similar claims for a text, evidence suggestions for a claim.

GET /api/v1/maps/{slug}/similar-claims/?text=…&exclude=…&limit=…
GET /api/v1/maps/{slug}/claims/{id}/evidence-suggestions/?limit=…
GET /api/v1/maps/{slug}/link-suggestions/?limit=… (editors)

Both need an annotator's role, like the pages: the model runs on each request, and the people who
can act on a suggestion are the ones who ask for it. Neither decides a stance: a similar claim is
"the same point or its opposite", a passage has a score, not a side.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from arguments.access import MapAccess, Need
from arguments.assist import similar_claims, suggest_evidence, suggest_links
from arguments.models import Claim
from sources.models import Source

from . import serializers as s
from .base import MapPermission, _int_param, is_number

MAX_TEXT = 2000


class SimilarClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The claim's id in the map.")
    kind = serializers.CharField(help_text="thesis, claim or background.")
    text = serializers.CharField()
    similarity = serializers.FloatField(
        help_text="Cosine of the two texts' embeddings, -1 to 1 (0.58 and up are listed)."
    )
    url = serializers.CharField(help_text="The claim's page.")


class SimilarClaimsSerializer(serializers.Serializer):
    results = SimilarClaimSerializer(many=True, help_text="Closest first; each the same point or its opposite.")


class EvidenceSuggestionSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="The source's slug.")
    start = serializers.IntegerField(help_text="Where the sentence begins in the source text (code points).")
    end = serializers.IntegerField(help_text="Where it ends.")
    exact = serializers.CharField(help_text="The sentence, word for word.")
    score = serializers.FloatField(help_text="What the list is ranked by; comparable within one list only.")
    similarity = serializers.FloatField(help_text="Cosine of the claim's and the sentence's embeddings, -1 to 1.")


class EvidenceSuggestionsSerializer(serializers.Serializer):
    results = EvidenceSuggestionSerializer(
        many=True, help_text="Best first; none has a stance until a person gives it one."
    )


class SimilarClaims(APIView):
    permission_classes = [MapPermission]
    needs = {"GET": Need.ANNOTATE}
    access: MapAccess

    @extend_schema(
        summary="Claims of the map close in meaning to a text",
        description=(
            "The map's claims whose meaning is closest to `text` (cosine of sentence embeddings at least "
            "0.58), closest first. A claim and its negation score alike, so each result is **the same point "
            "or its opposite**: whoever writes the claim decides which. Needs an annotator's role."
        ),
        parameters=[
            OpenApiParameter("text", str, required=True, description="The words of a claim (up to 2,000 characters)."),
            OpenApiParameter("exclude", int, description="A claim to leave out (the one being edited)."),
            OpenApiParameter("limit", int, description="1 to 10; 3 when not given."),
        ],
        responses={200: SimilarClaimsSerializer, 400: s.INVALID, 403: s.DetailSerializer, 404: s.DetailSerializer},
    )
    def get(self, request, slug: str):
        text = request.query_params.get("text", "").strip()
        if not text:
            raise exceptions.ValidationError({"text": ["Give the words of a claim."]})
        if len(text) > MAX_TEXT:
            raise exceptions.ValidationError({"text": [f"At most {MAX_TEXT} characters."]})
        raw_exclude = request.query_params.get("exclude", "")
        if raw_exclude and not is_number(raw_exclude):
            raise exceptions.ValidationError({"exclude": ["Give a claim's id."]})
        limit = _int_param(request, "limit", default=3, minimum=1, maximum=10)
        excluded = Claim(pk=int(raw_exclude)) if raw_exclude else None
        found = similar_claims(self.access.map, text, exclude=excluded, limit=limit)
        base = self.access.map.get_absolute_url()
        results = [
            {
                "id": f.claim.pk,
                "kind": f.claim.kind,
                "text": f.claim.text,
                "similarity": f.similarity,
                "url": request.build_absolute_uri(f"{base}claims/{f.claim.pk}/"),
            }
            for f in found
        ]
        return Response({"results": results})


class EvidenceSuggestions(APIView):
    permission_classes = [MapPermission]
    needs = {"GET": Need.ANNOTATE}
    access: MapAccess

    @extend_schema(
        summary="Passages of the map's sources that may bear on a claim",
        description=(
            "The sentences of the map's sources closest to the claim in meaning and words, best first, "
            "leaving out those that overlap a passage already linked to it. Similarity is not agreement: a "
            "sentence may support or contradict the claim. To link one, POST it to `evidence/` with the "
            "stance a person chose. The first request for a map embeds its sources (seconds a source). "
            "Needs an annotator's role."
        ),
        parameters=[OpenApiParameter("limit", int, description="1 to 50; 10 when not given.")],
        responses={
            200: EvidenceSuggestionsSerializer,
            400: s.INVALID,
            403: s.DetailSerializer,
            404: s.DetailSerializer,
        },
    )
    def get(self, request, slug: str, claim_id: int):
        limit = _int_param(request, "limit", default=10, minimum=1, maximum=50)
        claim = get_object_or_404(Claim, map=self.access.map, pk=claim_id)
        found = suggest_evidence(self.access.map, claim, limit=limit)
        ids = {f.source_id for f in found}
        slugs = dict(Source.objects.filter(pk__in=ids).values_list("pk", "slug")) if ids else {}
        results = [
            {
                "source": slugs[f.source_id],
                "start": f.start,
                "end": f.end,
                "exact": f.exact,
                "score": f.score,
                "similarity": f.similarity,
            }
            for f in found
        ]
        return Response({"results": results})


class LinkSuggestionSerializer(serializers.Serializer):
    claim = serializers.IntegerField(help_text="The older claim's id.")
    other = serializers.IntegerField(help_text="The other claim's id.")
    similarity = serializers.FloatField(help_text="Cosine of the two claims' embeddings, -1 to 1 (0.45 and up).")
    sources = serializers.ListField(child=serializers.CharField(), help_text="Slugs of the sources quoted for `claim`.")
    other_sources = serializers.ListField(child=serializers.CharField(), help_text="… and for `other`; none in common.")


class LinkSuggestionsSerializer(serializers.Serializer):
    results = LinkSuggestionSerializer(many=True, help_text="Most similar first; no kind until a person gives one.")


class LinkSuggestions(APIView):
    permission_classes = [MapPermission]
    needs = {"GET": Need.EDIT}
    access: MapAccess

    @extend_schema(
        summary="Pairs of claims from different documents that may bear on each other",
        description=(
            "Pairs of the map's claims whose evidence comes from disjoint sets of sources, not yet related, "
            "not yet accepted or rejected on the page of suggested links, most similar first. Whether one "
            "supports or opposes the other is for a person to say: link them with `POST …/relations/`. "
            "Needs an editor's role."
        ),
        parameters=[OpenApiParameter("limit", int, description="1 to 50; 20 when not given.")],
        responses={200: LinkSuggestionsSerializer, 400: s.INVALID, 403: s.DetailSerializer, 404: s.DetailSerializer},
    )
    def get(self, request, slug: str):
        limit = _int_param(request, "limit", default=20, minimum=1, maximum=50)
        found = suggest_links(self.access.map, limit=limit)
        ids = {pk for f in found for pk in (*f.sources, *f.other_sources)}
        slugs = dict(Source.objects.filter(pk__in=ids).values_list("pk", "slug")) if ids else {}
        results = [
            {
                "claim": f.claim.pk,
                "other": f.other.pk,
                "similarity": f.similarity,
                "sources": [slugs[pk] for pk in f.sources],
                "other_sources": [slugs[pk] for pk in f.other_sources],
            }
            for f in found
        ]
        return Response({"results": results})
