"""GET /api/v1/maps/{slug}/search/?q=…&page=…: the map's search (arguments/search.py), as JSON.

The same hits as the search page, in the same order, 10 a page: a snippet as plain text with the
offsets of its matched words, the page of the web app that shows the hit at its place, and for source
texts and quotes the source and the span of the text (code points of its canonical text).
"""

from urllib.parse import urlencode

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from arguments.access import MapAccess, Need
from arguments.search import PER_PAGE, search_map

from . import serializers as s
from .base import MapPermission, is_number

MAX_QUERY = 200


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        ["claim", "passage", "source"], help_text="What matched: a claim, a quote, a source text."
    )
    title = serializers.CharField(help_text="The claim's kind, the quote's citation or the source's title.")
    snippet = serializers.CharField(help_text="Plain text around the match (¶ where a paragraph ends).")
    marks = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        help_text="[start, end) of each matched word or phrase in `snippet`.",
    )
    url = serializers.CharField(help_text="The web page showing the hit at its place.")
    source = serializers.CharField(allow_null=True, help_text="The source's slug (quotes and source texts).")
    start = serializers.IntegerField(allow_null=True, help_text="Where the hit begins in the source text.")
    end = serializers.IntegerField(allow_null=True, help_text="Where it ends.")
    rank = serializers.FloatField(help_text="The database's relevance of the claim, quote or source (higher first).")


class SearchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Hits in all pages.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = SearchHitSerializer(many=True)


def hit_data(hit) -> dict:
    return {
        "kind": hit.kind,
        "title": hit.title,
        "snippet": hit.snippet.text,
        "marks": [list(mark) for mark in hit.snippet.marks],
        "url": hit.url,
        "source": hit.source or None,
        "start": hit.start,
        "end": hit.end,
        "rank": hit.rank,
    }


class Search(APIView):
    """A plain APIView (it lists no model), behind the same access check as every endpoint in a map."""

    permission_classes = [MapPermission]
    needs = {"GET": Need.READ}
    access: MapAccess

    @extend_schema(
        summary="Search the map's claims, quotes and source texts",
        description=(
            "Every word must match, stemmed (`vetoes` finds `vetoed`), hyphens inside words and -ence/-ense "
            'folded (`peace-keeping` finds `peacekeeping`); "quoted words" must follow each other. '
            f"{PER_PAGE} hits a page: claims, then quotes, then places in source texts, where most of the words "
            "occur together first."
        ),
        parameters=[
            OpenApiParameter("q", str, required=True, description="The query (up to 200 characters)."),
            OpenApiParameter("page", int, description="1 and up."),
        ],
        responses={200: SearchPageSerializer, 400: s.INVALID, 403: s.DetailSerializer, 404: s.DetailSerializer},
    )
    def get(self, request, slug: str):
        query = request.query_params.get("q", "").strip()
        if not query:
            raise exceptions.ValidationError({"q": ["Give the words to search for."]})
        if len(query) > MAX_QUERY:
            raise exceptions.ValidationError({"q": [f"At most {MAX_QUERY} characters."]})
        raw_page = request.query_params.get("page", "1")
        if not is_number(raw_page) or int(raw_page) < 1:
            raise exceptions.ValidationError({"page": ["Give a whole number, 1 or more."]})
        results = search_map(self.access.map, query, page=int(raw_page))

        def link(number: int) -> str | None:
            if not 1 <= number <= results.pages:
                return None
            return request.build_absolute_uri(request.path) + "?" + urlencode({"q": query, "page": number})

        return Response(
            {
                "count": results.count,
                "page": results.page,
                "pages": results.pages,
                "next": link(results.page + 1),
                "previous": link(results.page - 1) if results.page <= results.pages else link(results.pages),
                "results": [hit_data(hit) for hit in results.hits],
            }
        )
