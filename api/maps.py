"""Maps, their members and their sources and passages; exports and imports of whole maps."""

import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
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
from .base import MapsOrOneMap, MapViewSet, Rows, Versioned, capabilities, page, pick, with_etag
from .idempotency import IDEMPOTENCY_PARAMETER, idempotent

SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")

ERRORS = {400: s.INVALID, 403: s.DetailSerializer, 404: s.DetailSerializer}
CREATE_ERRORS = {**ERRORS, 422: s.DetailSerializer}
VERSIONED_ERRORS = {**ERRORS, 412: s.StaleSerializer, 428: s.DetailSerializer}
PAGING = [OpenApiParameter("after", int, description="Only objects with a larger id."), OpenApiParameter("limit", int)]
CREATING = [IDEMPOTENCY_PARAMETER]
DELETED = {204: None, **VERSIONED_ERRORS}


def versioned_operations(shape, write, *, one: str, change: str, replace: str, delete: str = "", deleted=None):
    """The schema of the operations a view set inherits from Versioned (and VersionedDeletion)."""
    operations = {
        "retrieve": extend_schema(summary=one, responses={200: shape, **ERRORS}),
        "partial_update": extend_schema(
            summary=change, request=write(partial=True), responses={200: shape, **VERSIONED_ERRORS}
        ),
        "update": extend_schema(summary=replace, request=write, responses={200: shape, **VERSIONED_ERRORS}),
    }
    if delete:
        operations["destroy"] = extend_schema(summary=delete, responses=deleted or DELETED)
    return extend_schema_view(**operations)


def with_role(maps, user):
    """Maps with the caller's role in each (null outside them), read in the same query."""
    if user.is_authenticated:
        return maps.annotate(role=Subquery(Membership.objects.filter(map=OuterRef("pk"), user=user).values("role")[:1]))
    return maps.annotate(role=Value(None, output_field=CharField()))


@versioned_operations(
    s.MapSerializer,
    s.MapWriteSerializer,
    one="A map",
    change="Change a map's settings (owners; needs If-Match)",
    replace="Replace a map's settings (owners; needs If-Match)",
)
class Maps(Versioned, MapsOrOneMap):
    needs = capabilities(change=Need.MANAGE)
    lookup_url_kwarg = "slug"
    lookup_value_converter = "slug"
    rows = Rows(s.MapSerializer)
    write_serializer = s.MapWriteSerializer

    def represent(self, pk) -> dict:
        # A GET names the map by its slug: the access check has read it, with the caller's role. After a
        # change, or to show what is current, it is read again.
        argument_map = self.map if pk == self.map.slug else ArgumentMap.objects.get(pk=pk)
        argument_map.role = self.access.role
        return self.rows.instance(argument_map)

    @extend_schema(
        summary="Maps you may read", parameters=PAGING, responses={200: s.page_of(s.MapSerializer), 400: s.INVALID}
    )
    def list(self, request):
        return page(request, with_role(maps_visible_to(request.user), request.user), self.rows)

    @extend_schema(
        summary="Create a map (you become its owner)",
        parameters=CREATING,
        request=s.MapWriteSerializer,
        responses={201: s.MapSerializer, 400: s.INVALID, 403: s.DetailSerializer, 422: s.DetailSerializer},
    )
    @idempotent
    def create(self, request):
        form = s.MapWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        argument_map = services.create_map(owner=request.user, **form.validated_data)
        argument_map.role = Role.OWNER
        return with_etag(self.rows.instance(argument_map), status_code=status.HTTP_201_CREATED)

    def changeable(self, lock: bool = False) -> ArgumentMap:
        return self.map

    def save(self, argument_map: ArgumentMap, data: dict, version: int) -> None:
        fields = pick(data, ("title", "question", "description", "visibility"), argument_map)
        services.update_map(argument_map=argument_map, actor=self.request.user, expected_version=version, **fields)


# ---------------------------------------------------------------------------------------- members


class Members(MapViewSet):
    """As on the members page: readers of a public map who are not members do not see its people."""

    needs = capabilities(create=Need.MANAGE, change=Need.MANAGE)
    lookup_url_kwarg = "membership_id"
    rows = Rows(s.MemberSerializer)

    def scope(self):
        return Membership.objects.filter(map=self.map)

    def check_permissions(self, request) -> None:
        super().check_permissions(request)
        if not self.access.can_see_members:
            if not request.user.is_authenticated:
                raise exceptions.NotAuthenticated()
            raise exceptions.PermissionDenied("Only members of this map see who else is in it.")

    def membership(self) -> Membership:
        return get_object_or_404(self.scope().select_related("user", "map"), pk=self.kwargs["membership_id"])

    @extend_schema(
        summary="Members of a map (members only)",
        parameters=PAGING,
        responses={200: s.page_of(s.MemberSerializer), **ERRORS},
    )
    def list(self, request, slug: str):
        return page(request, self.scope(), self.rows)

    @extend_schema(
        summary="Add someone with an account to the map (owners)",
        parameters=CREATING,
        request=s.MemberCreateSerializer,
        responses={201: s.MemberSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def create(self, request, slug: str):
        form = s.MemberCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = get_user_model().objects.filter(username=form.validated_data["username"]).first()
        if user is None:
            raise exceptions.ValidationError({"username": ["Nobody here has that username."]})
        if self.scope().filter(user=user).exists():
            raise exceptions.ValidationError(
                {"username": [f"{user.get_username()} is already a member; change their role instead."]}
            )
        membership = services.add_member(
            argument_map=self.map, user=user, role=form.validated_data["role"], actor=request.user
        )
        return Response(self.represent(membership.pk), status=status.HTTP_201_CREATED)

    @extend_schema(summary="One member", responses={200: s.MemberSerializer, **ERRORS})
    def retrieve(self, request, slug: str, membership_id: int):
        return Response(self.represent(membership_id))

    @extend_schema(
        summary="Change a member's role (owners)",
        request=s.MemberUpdateSerializer,
        responses={200: s.MemberSerializer, 409: s.DetailSerializer, **ERRORS},
    )
    def partial_update(self, request, slug: str, membership_id: int):
        membership = self.membership()
        form = s.MemberUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.change_role(membership=membership, role=form.validated_data["role"], actor=request.user)
        return Response(self.represent(membership.pk))

    @extend_schema(
        summary="Remove a member (owners); the last owner cannot be removed",
        responses={204: None, 409: s.DetailSerializer, **ERRORS},
    )
    def destroy(self, request, slug: str, membership_id: int):
        services.remove_member(membership=self.membership(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------------------------------- sources


class Sources(MapViewSet):
    needs = capabilities(create=Need.EDIT)
    # JSON (a link) or multipart (an upload): the settings' parsers, DRF's default set, take both.
    lookup_url_kwarg = "source_slug"
    lookup_value_converter = "slug"
    rows = Rows(s.SourceSerializer)
    detail_rows = Rows(s.SourceDetailSerializer)

    def scope(self):
        return MapSource.objects.filter(map=self.map)

    @extend_schema(
        summary="The map's sources, in order (without their texts)",
        parameters=PAGING,
        responses={200: s.page_of(s.SourceSerializer), **ERRORS},
    )
    def list(self, request, slug: str):
        # Paged by source id (the answer's `id`); `position` gives the map's own order.
        return page(request, self.scope(), self.rows, key="source_id")

    @extend_schema(
        summary="Add a source to the map: upload a file (multipart) or link a library source by slug (JSON)",
        parameters=CREATING,
        request={"multipart/form-data": s.SourceUploadSerializer, "application/json": s.SourceLinkSerializer},
        responses={201: s.SourceSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def create(self, request, slug: str):
        if "file" in request.data or request.content_type.startswith("multipart/"):
            source = self._upload(request)
        else:
            form = s.SourceLinkSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            source = readable_sources(request.user).filter(slug=form.validated_data["source"]).first()
            if source is None:
                raise exceptions.ValidationError({"source": ["No source with this slug that you may read."]})
            if self.scope().filter(source=source).exists():
                raise exceptions.ValidationError({"source": ["This source is already in the map."]})
            services.add_source(argument_map=self.map, source=source, actor=request.user)
        return Response(self.rows.one(self.scope().filter(source=source)), status=status.HTTP_201_CREATED)

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

    @extend_schema(
        summary="One of the map's sources, with its text", responses={200: s.SourceDetailSerializer, **ERRORS}
    )
    def retrieve(self, request, slug: str, source_slug: str):
        return Response(self.detail_rows.one(self.scope().filter(source__slug=source_slug)))


# --------------------------------------------------------------------------------------- passages


class Passages(MapViewSet):
    lookup_url_kwarg = "passage_id"
    rows = Rows(s.PassageSerializer)

    def scope(self):
        """Passages quoted in this map. A source shared with other maps may hold passages they quote,
        which are theirs to show."""
        quoted = Passage.objects.filter(evidence__map=self.map).values("pk")
        return Passage.objects.filter(pk__in=quoted)

    @extend_schema(
        summary="Passages quoted as evidence in this map",
        parameters=[
            *PAGING,
            OpenApiParameter("source", str, description="Only passages of the source with this slug."),
        ],
        responses={200: s.page_of(s.PassageSerializer), **ERRORS},
    )
    def list(self, request, slug: str):
        passages = self.scope()
        source = request.query_params.get("source", "")
        if source:
            if not SLUG.match(source):
                raise exceptions.ValidationError({"source": ["Give a source's slug."]})
            passages = passages.filter(source__slug=source)
        return page(request, passages, self.rows)

    @extend_schema(summary="One passage", responses={200: s.PassageSerializer, **ERRORS})
    def retrieve(self, request, slug: str, passage_id: int):
        return Response(self.represent(passage_id))


# ---------------------------------------------------------------------------------- export/import


class Export(MapViewSet):
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
    def retrieve(self, request, slug: str, export_format: str):
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
        parameters=CREATING,
        request={"multipart/form-data": s.ImportSerializer},
        responses={201: s.ImportResultSerializer, 400: s.INVALID, 403: s.DetailSerializer, 422: s.DetailSerializer},
    )
    @idempotent
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
        argument_map.role = Role.OWNER
        body = {"map": Maps.rows.instance(argument_map), "counts": getattr(argument_map, "import_counts", {})}
        return Response(body, status=status.HTTP_201_CREATED)
