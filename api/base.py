"""What every endpoint shares: map access, rows built from values(), cursor pages, versions and errors.

Access is decided by arguments.access, the same policy as the pages: outsiders of a private map get 404,
a role too low for the method gets 403, anonymous visitors may read public maps only.

Lists are built from `values()` rather than model serializers: a ModelSerializer list of 1,000 rows
measured about four times slower than values() (shared TRAPS). The serializers in api/serializers.py
still describe every response, and the schemathesis test checks the answers against that schema.
"""

import re
from collections.abc import Iterable
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from arguments.access import MapAccess, Need, get_map_for
from arguments.services import EditConflict, MembershipError
from sources.ingest import IngestError

DEFAULT_LIMIT = 100
MAX_LIMIT = 500

# One entity tag, strong or weak: "3" or W/"3"; the bare number is accepted too.
ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = (
        "This object is versioned: send an If-Match header with the ETag you last read (for example "
        'If-Match: "3"), so that someone else\'s change is never overwritten unseen.'
    )


class StaleVersion(Exception):
    """The If-Match version is not the current one; the view answers 412 with the current object."""

    def __init__(self, current) -> None:
        self.current = current
        super().__init__("This was changed by someone else since you read it.")


# ----------------------------------------------------------------------------------------- access


class MapPermission(BasePermission):
    """Delegates to arguments.access.get_map_for and keeps its answer on the view as `view.access`."""

    def has_permission(self, request: Request, view) -> bool:
        need = view.needs.get(request.method, Need.READ)
        try:
            view.access = get_map_for(request.user, view.kwargs["slug"], need)
        except PermissionDenied:
            # Anonymous visitors of a public map are asked to authenticate (401) rather than refused.
            if not request.user.is_authenticated:
                raise exceptions.NotAuthenticated() from None
            raise
        return True


class MapView(APIView):
    """An endpoint inside one map: /api/v1/maps/{slug}/…; `needs` maps HTTP methods to capabilities."""

    permission_classes = [MapPermission]
    needs: dict[str, Need] = {"GET": Need.READ}
    access: MapAccess

    @property
    def map(self):
        return self.access.map

    def represent(self, pk: int) -> dict:
        """The API form of one object, for 412 answers; views that edit versioned objects define it."""
        raise NotImplementedError

    def handle_exception(self, exc):
        if isinstance(exc, StaleVersion):
            return stale_response(exc.current)
        if isinstance(exc, EditConflict):
            # The service found the version moved between our check and its write: a real race.
            return stale_response(self.represent(exc.current.pk) if exc.current is not None else None)
        return super().handle_exception(translate(exc))


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
    """A flat JSON shape read with one values() query: (output key, ORM lookup) pairs."""

    def __init__(self, *fields: str | tuple[str, str]) -> None:
        self.fields = [(f, f) if isinstance(f, str) else f for f in fields]
        self.lookups = [lookup for _, lookup in self.fields]

    def of(self, queryset: QuerySet) -> list[dict]:
        return [{key: row[lookup] for key, lookup in self.fields} for row in queryset.values(*self.lookups)]

    def one(self, queryset: QuerySet) -> dict:
        found = self.of(queryset[:1])
        if not found:
            raise exceptions.NotFound("No such object in this map.")
        return found[0]


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
    return Response(data, status=status_code, headers={"ETag": f'"{data["version"]}"'})


def expected_version(request: Request, current: dict) -> int:
    """The version named by If-Match, which must be the current one: 428 without it, 412 if stale."""
    header = request.headers.get("If-Match")
    if header is None:
        raise PreconditionRequired()
    match = ETAG.match(header)
    if match is None:
        raise exceptions.ValidationError({"If-Match": ['Send one ETag as read from this object, for example "3".']})
    version = int(match.group(1))
    if version != current["version"]:
        raise StaleVersion(current)
    return version


def stale_response(current: dict | None) -> Response:
    if current is None:
        return Response({"detail": "This object was deleted meanwhile."}, status=status.HTTP_404_NOT_FOUND)
    body = {
        "detail": "Someone else changed this since you read it; nothing was saved. The current version is in "
        "`current`: send your change again with its ETag if it still applies.",
        "current": current,
    }
    return Response(body, status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": f'"{current["version"]}"'})


def pick(data: dict, names: Iterable[str], defaults: dict) -> dict:
    """Partial update: the fields sent, the current value for the others."""
    return {name: data[name] if name in data else defaults[name] for name in names}
