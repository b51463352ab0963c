"""What every endpoint shares: map access, rows read from a serializer's fields, cursor pages, versions, errors.

Access is decided by arguments.access, the same policy as the pages: outsiders of a private map get 404,
a role too low for the method gets 403, anonymous visitors may read public maps only.

Each response shape is defined once, by its serializer in api/serializers.py (which also makes the
OpenAPI schema). Lists read the serializer's fields with one `values()` query rather than rendering
model instances through it: bench/api_lists.py compares the two (see docs/api.md). A field's `source`
("created_by.username") is its ORM lookup ("created_by__username").
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.http import parse_etags, quote_etag
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from arguments.access import MapAccess, Need, get_map_for
from arguments.services import EditConflict, MembershipError
from sources.ingest import IngestError

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = (
        "This object is versioned: send an If-Match header with the ETag you last read (for example "
        'If-Match: "3"), so that someone else\'s change is never overwritten unseen.'
    )


# ----------------------------------------------------------------------------------------- access


class MapPermission(BasePermission):
    """Delegates to arguments.access.get_map_for and keeps its answer on the view as `view.access`."""

    def has_permission(self, request: Request, view) -> bool:
        # A method the view does not answer needs only reading, so that its 405 is not hidden by a 403.
        answered = hasattr(view, request.method.lower())
        need = view.needs.get(request.method, Need.READ) if answered else Need.READ
        try:
            view.access = get_map_for(request.user, view.kwargs["slug"], need)
        except PermissionDenied:
            # Anonymous visitors of a public map are asked to authenticate (401) rather than refused.
            if not request.user.is_authenticated:
                raise exceptions.NotAuthenticated() from None
            raise
        return True


class MapViewSet(ViewSet):
    """Endpoints inside one map: /api/v1/maps/{slug}/…; `needs` maps HTTP methods to capabilities.

    `rows` reads the resource's serializer; `scope()` is what of the map the resource holds.
    """

    permission_classes = [MapPermission]
    needs: dict[str, Need] = {"GET": Need.READ}
    access: MapAccess
    rows: "Rows"
    lookup_value_converter = "int"

    @property
    def map(self):
        return self.access.map

    def scope(self) -> QuerySet:
        raise NotImplementedError

    def represent(self, pk) -> dict:
        return self.rows.one(self.scope().filter(pk=pk))

    def handle_exception(self, exc):
        return super().handle_exception(translate(exc))


def capabilities(*, create: Need | None = None, change: Need | None = None) -> dict[str, Need]:
    """The capability each method needs: reading, creating (POST), changing (PATCH, PUT, DELETE)."""
    methods = {"GET": Need.READ}
    if create is not None:
        methods["POST"] = create
    if change is not None:
        methods |= {"PATCH": change, "PUT": change, "DELETE": change}
    return methods


class MapsOrOneMap(MapViewSet):
    """/api/v1/maps/ itself is outside any map: reading it is open, creating needs an account."""

    def get_permissions(self):
        if "slug" not in self.kwargs:
            return [IsAuthenticatedOrReadOnly()]
        return super().get_permissions()


def translate(exc: Exception) -> Exception:
    """Errors from services and the ingest pipeline become 400/409 answers carrying their message."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(exc.message_dict)
        return exceptions.ValidationError({"detail": " ".join(exc.messages)})
    if isinstance(exc, IngestError):
        return exceptions.ValidationError({"file": [str(exc)]})
    if isinstance(exc, MembershipError):
        conflict = exceptions.APIException(str(exc), code="conflict")
        conflict.status_code = status.HTTP_409_CONFLICT
        return conflict
    return exc


# ------------------------------------------------------------------------------------------- rows


class Rows:
    """A serializer's flat shape read with one values() query: each field's source is its ORM lookup."""

    def __init__(self, serializer: type[serializers.Serializer]) -> None:
        self.fields = [(name, field.source.replace(".", "__")) for name, field in serializer().fields.items()]
        self.lookups = [lookup for _, lookup in self.fields]

    def instance(self, obj) -> dict:
        """The same shape from an object already in memory."""
        return {key: _follow(obj, lookup.split("__")) for key, lookup in self.fields}

    def of(self, queryset: QuerySet) -> list[dict]:
        return [{key: row[lookup] for key, lookup in self.fields} for row in queryset.values(*self.lookups)]

    def one(self, queryset: QuerySet) -> dict:
        found = self.of(queryset[:1])
        if not found:
            raise exceptions.NotFound("No such object in this map.")
        return found[0]


def _follow(obj, attributes: list[str]):
    for attribute in attributes:
        obj = getattr(obj, attribute)
    return obj


def page(request: Request, queryset: QuerySet, rows: Rows, *, key: str = "id") -> Response:
    """A cursor page ordered by id: `?after=<id>&limit=<n>`, and `next` carries the following cursor.

    Keyset paging costs one query whatever the position, and an object added meanwhile is never
    skipped or shown twice, as offset paging would do. `key` is the lookup whose value each row
    carries as its `id` (it differs when rows are read through a link table).
    """
    after = _int_param(request, "after", default=0, minimum=0)
    limit = _int_param(request, "limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    results = rows.of(queryset.filter(**{f"{key}__gt": after}).order_by(key)[: limit + 1])
    following = None
    if len(results) > limit:
        results = results[:limit]
        query = {key: value for key, value in request.query_params.items() if key != "after"}
        query["after"] = results[-1]["id"]
        following = request.build_absolute_uri(request.path) + "?" + urlencode(query)
    return Response({"results": results, "next": following})


def is_number(raw: str) -> bool:
    """Plain ASCII digits: str.isdigit() also accepts "²" and other digits int() refuses."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 18


def _int_param(request: Request, name: str, *, default: int, minimum: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    if not is_number(raw) or int(raw) < minimum or (maximum is not None and int(raw) > maximum):
        bound = f" and {maximum}" if maximum is not None else " or more"
        raise exceptions.ValidationError({name: [f"Give a whole number between {minimum}{bound}."]})
    return int(raw)


# --------------------------------------------------------------------------------------- versions


def with_etag(data: dict, *, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(data, status=status_code, headers={"ETag": quote_etag(str(data["version"]))})


class StaleVersion(Exception):
    """The If-Match version is not the current one; the view answers 412 with the current object."""

    def __init__(self, pk) -> None:
        self.pk = pk
        super().__init__("This was changed by someone else since you read it.")


class Versioned:
    """For a MapViewSet of versioned objects (maps, claims, relations, evidence): GET answers
    `ETag: "<version>"`; PATCH, PUT and DELETE need it back in If-Match (428 without it, 412 with the
    current object when stale). The service checks the version again inside its transaction and
    raises EditConflict when a change landed in between, which answers 412 the same way.

    A view set defines `changeable()` (the object, after the access rules), `write_serializer` and
    `save(obj, data, version)` for updates; VersionedDeletion adds `remove(obj, version)` for deletions
    (its answer, or None for 204).
    """

    write_serializer: type[serializers.Serializer]

    def retrieve(self, request, **kwargs):
        return with_etag(self.represent(kwargs[self.lookup_url_kwarg]))

    def update(self, request, **kwargs):
        obj = self.changeable()
        form = self.write_serializer(data=request.data, partial=request.method == "PATCH")
        form.is_valid(raise_exception=True)
        self.save(obj, form.validated_data, self.expected_version(obj))
        return with_etag(self.represent(obj.pk))

    def partial_update(self, request, **kwargs):
        return self.update(request, **kwargs)

    def expected_version(self, obj) -> int:
        """The version named by If-Match, which must be the current one: 428 without it, 412 if stale."""
        header = self.request.headers.get("If-Match")
        if header is None:
            raise PreconditionRequired()
        # A bare number is accepted too, as scripts often drop the quotes.
        tags = parse_etags(header) or parse_etags(quote_etag(header.strip()))
        versions = [tag.removeprefix("W/").strip('"') for tag in tags]
        if len(versions) != 1 or not is_number(versions[0]):
            raise exceptions.ValidationError({"If-Match": ['Send one ETag as read from this object, for example "3".']})
        if int(versions[0]) != obj.version:
            raise StaleVersion(obj.pk)
        return obj.version

    def handle_exception(self, exc):
        if isinstance(exc, StaleVersion):
            return self.stale_response(exc.pk)
        if isinstance(exc, EditConflict):
            # The service found the version moved between our check and its write: a real race.
            return self.stale_response(exc.current.pk if exc.current is not None else None)
        return super().handle_exception(exc)

    def stale_response(self, pk) -> Response:
        try:
            current = self.represent(pk) if pk is not None else None
        except exceptions.NotFound:
            current = None
        if current is None:
            return Response({"detail": "This object was deleted meanwhile."}, status=status.HTTP_404_NOT_FOUND)
        body = {
            "detail": "Someone else changed this since you read it; nothing was saved. The current version is in "
            "`current`: send your change again with its ETag if it still applies.",
            "current": current,
        }
        return Response(
            body, status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": quote_etag(str(current["version"]))}
        )


class VersionedDeletion(Versioned):
    """Versioned objects that may be deleted (maps are not, through the API): DELETE with If-Match."""

    def destroy(self, request, **kwargs):
        # The row lock makes the version check and the deletion one step.
        with transaction.atomic():
            obj = self.deletable()
            removed = self.remove(obj, self.expected_version(obj))
        if removed is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(removed)

    def deletable(self):
        return self.changeable(lock=True)


def pick(data: dict, names, obj) -> dict:
    """Partial update: the fields sent, the object's current value for the others."""
    return {name: data[name] if name in data else getattr(obj, name) for name in names}
