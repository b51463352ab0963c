"""Maps, their members and their sources and passages; exports and imports of whole maps."""

import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from arguments import services
from arguments.access import Need, maps_visible_to, readable_sources
from arguments.exports.common import ImportProblem
from arguments.exports.dot import SvgUnavailable
from arguments.exports.imports import MAX_IMPORT_BYTES, import_document
from arguments.exports.registry import FORMATS_BY_KEY, download
from arguments.models import ArgumentMap, MapSource, Membership, Role
from sources.models import Passage
from sources.services import import_source

from . import serializers as s
from .base import MapView, Rows, expected_version, page, pick, with_etag
from .parsers import JSONObjectParser

SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")
MAP_FIELDS = (
    "id",
    "slug",
    "title",
    "question",
    "description",
    "visibility",
    "revision",
    "version",
    "created",
    "updated",
)
MAP_ROWS = Rows(*MAP_FIELDS, "role")
MEMBER_ROWS = Rows("id", ("username", "user__username"), "role", "created")
SOURCE_FIELDS = (
    "id",
    "slug",
    "title",
    "authors",
    "container_title",
    "publisher",
    "place",
    "published",
    "kind",
    "language",
    "url",
    "isbn",
    "doi",
    "original_format",
    "original_name",
    "revision",
    "sha256",
)
# Read through MapSource so that the map's order comes along; `id` is the source's own.
SOURCE_ROWS = Rows(*((name, f"source__{name}") for name in SOURCE_FIELDS), "position")
SOURCE_DETAIL_ROWS = Rows(*((name, f"source__{name}") for name in SOURCE_FIELDS), "position", ("text", "source__text"))
PASSAGE_ROWS = Rows(
    "id", ("source", "source__slug"), "start", "end", "exact", "prefix", "suffix", "anchor_status", "created"
)

ERRORS = {400: s.INVALID, 403: s.DetailSerializer, 404: s.DetailSerializer}
VERSIONED_ERRORS = {**ERRORS, 412: s.StaleSerializer, 428: s.DetailSerializer}


def map_data(argument_map: ArgumentMap, role: str | None) -> dict:
    data = {name: getattr(argument_map, name) for name in MAP_FIELDS}
    data["role"] = role
    return data


class MapList(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        summary="Maps you may read",
        parameters=[OpenApiParameter("after", int), OpenApiParameter("limit", int)],
        responses={200: s.page_of(s.MapSerializer), 400: s.INVALID},
    )
    def get(self, request):
        user = request.user
        if user.is_authenticated:
            role = Subquery(Membership.objects.filter(map=OuterRef("pk"), user=user).values("role")[:1])
        else:
            role = Value(None, output_field=CharField())
        return page(request, maps_visible_to(user).annotate(role=role), MAP_ROWS)

    @extend_schema(
        summary="Create a map (you become its owner)",
        request=s.MapWriteSerializer,
        responses={201: s.MapSerializer, 400: s.INVALID, 403: s.DetailSerializer},
    )
    def post(self, request):
        form = s.MapWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        argument_map = services.create_map(owner=request.user, **form.validated_data)
        return with_etag(map_data(argument_map, Role.OWNER), status_code=status.HTTP_201_CREATED)


class MapDetail(MapView):
    needs = {"GET": Need.READ, "PATCH": Need.MANAGE, "PUT": Need.MANAGE}

    def represent(self, pk: int) -> dict:
        return map_data(ArgumentMap.objects.get(pk=pk), self.access.role)

    @extend_schema(summary="A map", responses={200: s.MapSerializer, **ERRORS})
    def get(self, request, slug: str):
        return with_etag(map_data(self.map, self.access.role))

    @extend_schema(
        summary="Change a map's settings (owners; needs If-Match)",
        request=s.MapWriteSerializer(partial=True),
        responses={200: s.MapSerializer, **VERSIONED_ERRORS},
    )
    def patch(self, request, slug: str):
        current = map_data(self.map, self.access.role)
        form = s.MapWriteSerializer(data=request.data, partial=request.method == "PATCH")
        form.is_valid(raise_exception=True)
        version = expected_version(request, current)
        fields = pick(form.validated_data, ("title", "question", "description", "visibility"), current)
        updated = services.update_map(argument_map=self.map, actor=request.user, expected_version=version, **fields)
        return with_etag(map_data(updated, self.access.role))

    @extend_schema(
        summary="Replace a map's settings (owners; needs If-Match)",
        request=s.MapWriteSerializer,
        responses={200: s.MapSerializer, **VERSIONED_ERRORS},
    )
    def put(self, request, slug: str):
        return self.patch(request, slug)


# ---------------------------------------------------------------------------------------- members


class MembersOnly(MapView):
    """As on the members page: readers of a public map who are not members do not see its people."""

    def check_permissions(self, request) -> None:
        super().check_permissions(request)
        if not self.access.can_see_members:
            if not request.user.is_authenticated:
                raise exceptions.NotAuthenticated()
            raise exceptions.PermissionDenied("Only members of this map see who else is in it.")


class MemberList(MembersOnly):
    needs = {"GET": Need.READ, "POST": Need.MANAGE}

    @extend_schema(
        summary="Members of a map (members only)",
        parameters=[OpenApiParameter("after", int), OpenApiParameter("limit", int)],
        responses={200: s.page_of(s.MemberSerializer), **ERRORS},
    )
    def get(self, request, slug: str):
        return page(request, Membership.objects.filter(map=self.map), MEMBER_ROWS)

    @extend_schema(
        summary="Add someone with an account to the map (owners)",
        request=s.MemberCreateSerializer,
        responses={201: s.MemberSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        form = s.MemberCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = get_user_model().objects.filter(username=form.validated_data["username"]).first()
        if user is None:
            raise exceptions.ValidationError({"username": ["Nobody here has that username."]})
        if Membership.objects.filter(map=self.map, user=user).exists():
            raise exceptions.ValidationError(
                {"username": [f"{user.get_username()} is already a member; change their role instead."]}
            )
        membership = services.add_member(
            argument_map=self.map, user=user, role=form.validated_data["role"], actor=request.user
        )
        return Response(MEMBER_ROWS.one(Membership.objects.filter(pk=membership.pk)), status=status.HTTP_201_CREATED)


class MemberDetail(MembersOnly):
    needs = {"GET": Need.READ, "PATCH": Need.MANAGE, "DELETE": Need.MANAGE}

    def membership(self, membership_id: int) -> Membership:
        return get_object_or_404(Membership.objects.select_related("user", "map"), map=self.map, pk=membership_id)

    @extend_schema(summary="One member", responses={200: s.MemberSerializer, **ERRORS})
    def get(self, request, slug: str, membership_id: int):
        return Response(MEMBER_ROWS.one(Membership.objects.filter(map=self.map, pk=membership_id)))

    @extend_schema(
        summary="Change a member's role (owners)",
        request=s.MemberUpdateSerializer,
        responses={200: s.MemberSerializer, 409: s.DetailSerializer, **ERRORS},
    )
    def patch(self, request, slug: str, membership_id: int):
        membership = self.membership(membership_id)
        form = s.MemberUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.change_role(membership=membership, role=form.validated_data["role"], actor=request.user)
        return Response(MEMBER_ROWS.one(Membership.objects.filter(pk=membership.pk)))

    @extend_schema(
        summary="Remove a member (owners); the last owner cannot be removed",
        responses={204: None, 409: s.DetailSerializer, **ERRORS},
    )
    def delete(self, request, slug: str, membership_id: int):
        services.remove_member(membership=self.membership(membership_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------------------------------- sources


class SourceList(MapView):
    needs = {"GET": Need.READ, "POST": Need.EDIT}
    parser_classes = [JSONObjectParser, MultiPartParser, FormParser]

    @extend_schema(
        summary="The map's sources, in order (without their texts)",
        parameters=[OpenApiParameter("after", int), OpenApiParameter("limit", int)],
        responses={200: s.page_of(s.SourceSerializer), **ERRORS},
    )
    def get(self, request, slug: str):
        # Paged by source id (the answer's `id`); `position` gives the map's own order.
        return page(request, MapSource.objects.filter(map=self.map), SOURCE_ROWS, key="source_id")

    @extend_schema(
        summary="Add a source to the map: upload a file (multipart) or link a library source by slug (JSON)",
        request={"multipart/form-data": s.SourceUploadSerializer, "application/json": s.SourceLinkSerializer},
        responses={201: s.SourceSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        if "file" in request.data or request.content_type.startswith("multipart/"):
            source = self._upload(request)
        else:
            form = s.SourceLinkSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            source = readable_sources(request.user).filter(slug=form.validated_data["source"]).first()
            if source is None:
                raise exceptions.ValidationError({"source": ["No source with this slug that you may read."]})
            if MapSource.objects.filter(map=self.map, source=source).exists():
                raise exceptions.ValidationError({"source": ["This source is already in the map."]})
            services.add_source(argument_map=self.map, source=source, actor=request.user)
        row = SOURCE_ROWS.one(MapSource.objects.filter(map=self.map, source=source))
        return Response(row, status=status.HTTP_201_CREATED)

    def _upload(self, request):
        form = s.SourceUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        upload = data.pop("file")
        data["authors"] = [name.strip() for name in data["authors"].split(";") if name.strip()]
        # The new source and its place in the map together, or neither (IngestError becomes a 400).
        with transaction.atomic():
            source = import_source(filename=upload.name, data=upload.read(), added_by=request.user, **data)
            services.add_source(argument_map=self.map, source=source, actor=request.user)
        return source


class SourceDetail(MapView):
    @extend_schema(
        summary="One of the map's sources, with its text", responses={200: s.SourceDetailSerializer, **ERRORS}
    )
    def get(self, request, slug: str, source_slug: str):
        return Response(SOURCE_DETAIL_ROWS.one(MapSource.objects.filter(map=self.map, source__slug=source_slug)))


# --------------------------------------------------------------------------------------- passages


def map_passages(argument_map: ArgumentMap):
    """Passages quoted in this map. A source shared with other maps may hold passages they quote,
    which are theirs to show."""
    quoted = Passage.objects.filter(evidence__map=argument_map).values("pk")
    return Passage.objects.filter(pk__in=quoted)


class PassageList(MapView):
    @extend_schema(
        summary="Passages quoted as evidence in this map",
        parameters=[
            OpenApiParameter("after", int),
            OpenApiParameter("limit", int),
            OpenApiParameter("source", str, description="Only passages of the source with this slug."),
        ],
        responses={200: s.page_of(s.PassageSerializer), **ERRORS},
    )
    def get(self, request, slug: str):
        passages = map_passages(self.map)
        source = request.query_params.get("source", "")
        if source:
            if not SLUG.match(source):
                raise exceptions.ValidationError({"source": ["Give a source's slug."]})
            passages = passages.filter(source__slug=source)
        return page(request, passages, PASSAGE_ROWS)


class PassageDetail(MapView):
    @extend_schema(summary="One passage", responses={200: s.PassageSerializer, **ERRORS})
    def get(self, request, slug: str, passage_id: int):
        return Response(PASSAGE_ROWS.one(map_passages(self.map).filter(pk=passage_id)))


# ---------------------------------------------------------------------------------- export/import


class Export(MapView):
    def perform_content_negotiation(self, request, force: bool = False):
        # The file's type is fixed by the format; a client asking for it (Accept: application/zip) must
        # not be refused because only errors are rendered as JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Download the map in one of the interchange formats",
        parameters=[
            # Not named `format`: DRF reads a `format` URL argument as a renderer suffix.
            OpenApiParameter("export_format", str, OpenApiParameter.PATH, enum=sorted(FORMATS_BY_KEY)),
        ],
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment."),
            304: OpenApiResponse(description="Not modified: If-None-Match names the current file's ETag."),
            **ERRORS,
            422: OpenApiResponse(s.DetailSerializer, description="The map is too large to draw as SVG."),
            503: OpenApiResponse(s.DetailSerializer, description="The SVG cannot be drawn right now."),
        },
    )
    def get(self, request, slug: str, export_format: str):
        fmt = FORMATS_BY_KEY.get(export_format)
        if fmt is None:
            raise exceptions.NotFound(f"No such export format; use one of: {', '.join(FORMATS_BY_KEY)}.")
        try:
            return download(request, self.map, fmt)
        except SvgUnavailable as problem:
            return Response({"detail": problem.message}, status=problem.status)


class Import(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import a Warrant JSON or AIF file as a new private map that you own",
        request={"multipart/form-data": s.ImportSerializer},
        responses={201: s.ImportResultSerializer, 400: s.INVALID, 403: s.DetailSerializer},
    )
    def post(self, request):
        form = s.ImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise exceptions.ValidationError(
                {"file": [f"This file is over the {MAX_IMPORT_BYTES // (1024 * 1024)} MB limit for imports."]}
            )
        try:
            argument_map = import_document(upload.read(), request.user, form.validated_data["title"])
        except ImportProblem as problem:
            raise exceptions.ValidationError({"file": [f"This file could not be imported: {problem}"]}) from None
        body = {"map": map_data(argument_map, Role.OWNER), "counts": getattr(argument_map, "import_counts", {})}
        return Response(body, status=status.HTTP_201_CREATED)
