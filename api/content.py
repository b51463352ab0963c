"""What a map is made of: claims, relations, evidence, comments, and the log of events.

Versioned objects (claims, relations, evidence) answer GET with an ETag; PATCH and DELETE need it
back in If-Match (428 without it, 412 with the current object when it is stale). The service then
checks the version again inside its transaction, so a change that lands in between is refused too.
"""

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from arguments import services
from arguments.access import Need
from arguments.models import Claim, Comment, Event, Evidence, MapSource, Relation
from sources.models import Passage, Source
from sources.selection import resolve_selection

from . import serializers as s
from .base import MapView, Rows, expected_version, is_number, page, pick, with_etag
from .maps import ERRORS, VERSIONED_ERRORS

CLAIM_ROWS = Rows("id", "kind", "text", "version", ("created_by", "created_by__username"), "created", "updated")
RELATION_ROWS = Rows(
    "id",
    ("from_claim", "from_claim_id"),
    ("to_claim", "to_claim_id"),
    "kind",
    "scheme",
    "weight",
    "version",
    ("created_by", "created_by__username"),
    "created",
)
EVIDENCE_ROWS = Rows(
    "id",
    ("claim", "claim_id"),
    ("passage", "passage_id"),
    ("source", "passage__source__slug"),
    ("exact", "passage__exact"),
    "stance",
    "note",
    "version",
    ("created_by", "created_by__username"),
    "created",
)
COMMENT_ROWS = Rows(
    "id",
    ("claim", "claim_id"),
    ("parent", "parent_id"),
    ("author", "author__username"),
    "author_name",
    "body",
    "created",
    "updated",
)
EVENT_ROWS = Rows("id", ("actor", "actor__username"), "verb", "object_type", "object_id", "payload", "created")

PAGING = [OpenApiParameter("after", int, description="Only objects with a larger id."), OpenApiParameter("limit", int)]
DELETED = {204: None, **VERSIONED_ERRORS}


def _claim(argument_map, claim_id: int, *, field: str = "claim") -> Claim:
    """A claim of this map named in a request body; a 400 naming the field otherwise."""
    claim = Claim.objects.filter(map=argument_map, pk=claim_id).first()
    if claim is None:
        raise exceptions.ValidationError({field: [f"There is no claim {claim_id} in this map."]})
    return claim


# ----------------------------------------------------------------------------------------- claims


class ClaimList(MapView):
    needs = {"GET": Need.READ, "POST": Need.ANNOTATE}

    @extend_schema(
        summary="Claims of the map", parameters=PAGING, responses={200: s.page_of(s.ClaimSerializer), **ERRORS}
    )
    def get(self, request, slug: str):
        return page(request, Claim.objects.filter(map=self.map), CLAIM_ROWS)

    @extend_schema(
        summary="Add a claim (annotators and up)",
        request=s.ClaimWriteSerializer,
        responses={201: s.ClaimSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        form = s.ClaimWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        claim = services.create_claim(argument_map=self.map, actor=request.user, **form.validated_data)
        return with_etag(self.represent(claim.pk), status_code=status.HTTP_201_CREATED)

    def represent(self, pk: int) -> dict:
        return CLAIM_ROWS.one(Claim.objects.filter(pk=pk))


class ClaimDetail(MapView):
    needs = {"GET": Need.READ, "PATCH": Need.ANNOTATE, "PUT": Need.ANNOTATE, "DELETE": Need.ANNOTATE}

    def represent(self, pk: int) -> dict:
        return CLAIM_ROWS.one(Claim.objects.filter(map=self.map, pk=pk))

    def changeable(self, claim_id: int) -> Claim:
        claim = get_object_or_404(Claim.objects.select_related("map"), map=self.map, pk=claim_id)
        if not self.access.can_change(claim.created_by_id):
            raise exceptions.PermissionDenied("Annotators can change only the claims they wrote.")
        return claim

    @extend_schema(summary="A claim", responses={200: s.ClaimSerializer, **ERRORS})
    def get(self, request, slug: str, claim_id: int):
        return with_etag(self.represent(claim_id))

    @extend_schema(
        summary="Change a claim's text or kind (its author, or an editor; needs If-Match)",
        request=s.ClaimWriteSerializer(partial=True),
        responses={200: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    def patch(self, request, slug: str, claim_id: int):
        claim = self.changeable(claim_id)
        form = s.ClaimWriteSerializer(data=request.data, partial=request.method == "PATCH")
        form.is_valid(raise_exception=True)
        version = expected_version(request, self.represent(claim.pk))
        fields = pick(form.validated_data, ("text", "kind"), {"text": claim.text, "kind": claim.kind})
        services.update_claim(claim=claim, actor=request.user, expected_version=version, **fields)
        return with_etag(self.represent(claim.pk))

    @extend_schema(
        summary="Replace a claim's text and kind (its author, or an editor; needs If-Match)",
        request=s.ClaimWriteSerializer,
        responses={200: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    def put(self, request, slug: str, claim_id: int):
        return self.patch(request, slug, claim_id)

    @extend_schema(
        summary="Delete a claim with its relations, evidence and comments (needs If-Match)",
        responses={200: s.DeletedClaimSerializer, **VERSIONED_ERRORS},
    )
    def delete(self, request, slug: str, claim_id: int):
        claim = get_object_or_404(Claim.objects.select_related("map"), map=self.map, pk=claim_id)
        if not self.access.can_delete_claim(claim):
            raise exceptions.PermissionDenied(
                "Annotators delete only their own claims, and only while no other claim, evidence or comment "
                "by someone else depends on them. Ask an editor."
            )
        version = expected_version(request, self.represent(claim.pk))
        try:
            removed = services.delete_claim(claim=claim, actor=request.user, expected_version=version)
        except Claim.DoesNotExist:
            raise exceptions.NotFound("This claim has already been deleted.") from None
        return Response(removed)


# -------------------------------------------------------------------------------------- relations


class RelationList(MapView):
    needs = {"GET": Need.READ, "POST": Need.ANNOTATE}

    @extend_schema(
        summary="Supports and opposes links between claims",
        parameters=PAGING,
        responses={200: s.page_of(s.RelationSerializer), **ERRORS},
    )
    def get(self, request, slug: str):
        return page(request, Relation.objects.filter(map=self.map), RELATION_ROWS)

    @extend_schema(
        summary="Link two claims (annotators and up)",
        request=s.RelationCreateSerializer,
        responses={201: s.RelationSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        form = s.RelationCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        from_claim = _claim(self.map, data["from_claim"], field="from_claim")
        to_claim = _claim(self.map, data["to_claim"], field="to_claim")
        if from_claim.pk == to_claim.pk:
            raise exceptions.ValidationError({"to_claim": ["A claim cannot support or oppose itself."]})
        try:
            relation = services.create_relation(
                argument_map=self.map,
                actor=request.user,
                from_claim=from_claim,
                to_claim=to_claim,
                kind=data["kind"],
                scheme=data["scheme"],
            )
        except IntegrityError:
            # The unique index decides, so two clients linking the same pair at once get one link.
            raise exceptions.ValidationError({"to_claim": ["These two claims are already linked."]}) from None
        return with_etag(RELATION_ROWS.one(Relation.objects.filter(pk=relation.pk)), status_code=201)


class RelationDetail(MapView):
    # As on the pages: re-linking and unlinking is for editors.
    needs = {"GET": Need.READ, "PATCH": Need.EDIT, "PUT": Need.EDIT, "DELETE": Need.EDIT}

    def represent(self, pk: int) -> dict:
        return RELATION_ROWS.one(Relation.objects.filter(map=self.map, pk=pk))

    @extend_schema(summary="A relation", responses={200: s.RelationSerializer, **ERRORS})
    def get(self, request, slug: str, relation_id: int):
        return with_etag(self.represent(relation_id))

    @extend_schema(
        summary="Re-link: change what the claim bears on, or how (editors; needs If-Match)",
        request=s.RelationUpdateSerializer(partial=True),
        responses={200: s.RelationSerializer, **VERSIONED_ERRORS},
    )
    def patch(self, request, slug: str, relation_id: int):
        relation = get_object_or_404(Relation.objects.select_related("map"), map=self.map, pk=relation_id)
        form = s.RelationUpdateSerializer(data=request.data, partial=request.method == "PATCH")
        form.is_valid(raise_exception=True)
        data = form.validated_data
        version = expected_version(request, self.represent(relation.pk))
        to_claim = _claim(self.map, data["to_claim"], field="to_claim") if "to_claim" in data else relation.to_claim
        services.update_relation(
            relation=relation,
            actor=request.user,
            kind=data.get("kind", relation.kind),
            to_claim=to_claim,
            expected_version=version,
        )
        return with_etag(self.represent(relation.pk))

    @extend_schema(
        summary="Replace what the claim bears on and how (editors; needs If-Match)",
        request=s.RelationUpdateSerializer,
        responses={200: s.RelationSerializer, **VERSIONED_ERRORS},
    )
    def put(self, request, slug: str, relation_id: int):
        return self.patch(request, slug, relation_id)

    @extend_schema(summary="Unlink two claims; both stay (editors; needs If-Match)", responses=DELETED)
    def delete(self, request, slug: str, relation_id: int):
        with transaction.atomic():
            # The row lock makes the version check and the deletion one step.
            relation = get_object_or_404(
                Relation.objects.select_for_update().select_related("map", "from_claim"), map=self.map, pk=relation_id
            )
            expected_version(request, self.represent(relation.pk))
            services.delete_relation(relation=relation, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------------------- evidence


class EvidenceList(MapView):
    needs = {"GET": Need.READ, "POST": Need.ANNOTATE}

    @extend_schema(
        summary="Passages linked to claims: states, supports or opposes",
        parameters=[*PAGING, OpenApiParameter("claim", int, description="Only the evidence for this claim.")],
        responses={200: s.page_of(s.EvidenceSerializer), **ERRORS},
    )
    def get(self, request, slug: str):
        evidence = Evidence.objects.filter(map=self.map)
        claim = request.query_params.get("claim", "")
        if claim:
            if not is_number(claim):
                raise exceptions.ValidationError({"claim": ["Give a claim id."]})
            evidence = evidence.filter(claim_id=int(claim))
        return page(request, evidence, EVIDENCE_ROWS)

    @extend_schema(
        summary="Quote a passage as evidence for a claim (annotators and up)",
        description=(
            "Name an existing `passage`, or select new text with `source` (a slug) and `exact` (the quote). "
            "With `start`/`end` (code points) or `start16`/`end16` (UTF-16 units, as browsers count) the quote "
            "must be exactly the text there; without offsets it must occur once in the source."
        ),
        request=s.EvidenceCreateSerializer,
        responses={201: s.EvidenceSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        form = s.EvidenceCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        claim = _claim(self.map, data["claim"])
        source, start, end = self._span(data)
        evidence = services.add_evidence(
            argument_map=self.map,
            actor=request.user,
            source=source,
            start=start,
            end=end,
            claim=claim,
            stance=data["stance"],
            note=data["note"].strip(),
        )
        # Quoting the same words for the same claim again is idempotent: the existing evidence, 200.
        status_code = status.HTTP_200_OK if evidence.already_linked else status.HTTP_201_CREATED
        return with_etag(EVIDENCE_ROWS.one(Evidence.objects.filter(pk=evidence.pk)), status_code=status_code)

    def _span(self, data: dict) -> tuple[Source, int, int]:
        """The source and code-point span to quote, checked against the text as the reader checks it."""
        in_map = MapSource.objects.filter(map=self.map).values("source_id")
        if "passage" in data:
            passage = Passage.objects.select_related("source").filter(pk=data["passage"], source__in=in_map).first()
            if passage is None:
                raise exceptions.ValidationError({"passage": ["No such passage in this map's sources."]})
            return passage.source, passage.start, passage.end
        source = Source.objects.defer("original").filter(slug=data["source"], pk__in=in_map).first()
        if source is None:
            raise exceptions.ValidationError({"source": ["This map has no source with that slug."]})
        if "start" in data:
            start, end = data["start"], data["end"]
            # Slicing forgives an end past the text; the stored passage must not.
            if end > len(source.text) or start >= end or source.text[start:end] != data["exact"]:
                raise exceptions.ValidationError(
                    {"exact": ["The quote does not match the source text at these offsets (code points)."]}
                )
            return source, start, end
        start, end = resolve_selection(source, data)  # ValidationError becomes a 400 with its message
        return source, start, end


class EvidenceDetail(MapView):
    needs = {"GET": Need.READ, "PATCH": Need.ANNOTATE, "PUT": Need.ANNOTATE, "DELETE": Need.ANNOTATE}

    def represent(self, pk: int) -> dict:
        return EVIDENCE_ROWS.one(Evidence.objects.filter(map=self.map, pk=pk))

    def changeable(self, evidence_id: int, *, lock: bool = False) -> Evidence:
        evidence = Evidence.objects.select_for_update() if lock else Evidence.objects
        evidence = get_object_or_404(evidence.select_related("map"), map=self.map, pk=evidence_id)
        if not self.access.can_change(evidence.created_by_id):
            raise exceptions.PermissionDenied("You can change only your own annotations.")
        return evidence

    @extend_schema(summary="A piece of evidence", responses={200: s.EvidenceSerializer, **ERRORS})
    def get(self, request, slug: str, evidence_id: int):
        return with_etag(self.represent(evidence_id))

    @extend_schema(
        summary="Change the stance or note (its author, or an editor; needs If-Match)",
        request=s.EvidenceUpdateSerializer(partial=True),
        responses={200: s.EvidenceSerializer, **VERSIONED_ERRORS},
    )
    def patch(self, request, slug: str, evidence_id: int):
        evidence = self.changeable(evidence_id)
        form = s.EvidenceUpdateSerializer(data=request.data, partial=request.method == "PATCH")
        form.is_valid(raise_exception=True)
        version = expected_version(request, self.represent(evidence.pk))
        fields = pick(form.validated_data, ("stance", "note"), {"stance": evidence.stance, "note": evidence.note})
        services.update_evidence(evidence=evidence, actor=request.user, expected_version=version, **fields)
        return with_etag(self.represent(evidence.pk))

    @extend_schema(
        summary="Replace the stance and note (its author, or an editor; needs If-Match)",
        request=s.EvidenceUpdateSerializer,
        responses={200: s.EvidenceSerializer, **VERSIONED_ERRORS},
    )
    def put(self, request, slug: str, evidence_id: int):
        return self.patch(request, slug, evidence_id)

    @extend_schema(
        summary="Remove the evidence; its passage goes with its last quote (needs If-Match)", responses=DELETED
    )
    def delete(self, request, slug: str, evidence_id: int):
        with transaction.atomic():
            evidence = self.changeable(evidence_id, lock=True)
            expected_version(request, self.represent(evidence.pk))
            services.delete_evidence(evidence=evidence, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------------------- comments


class CommentList(MapView):
    needs = {"GET": Need.READ, "POST": Need.ANNOTATE}

    @extend_schema(
        summary="The discussion on the map's claims",
        parameters=[*PAGING, OpenApiParameter("claim", int, description="Only the comments on this claim.")],
        responses={200: s.page_of(s.CommentSerializer), **ERRORS},
    )
    def get(self, request, slug: str):
        comments = Comment.objects.filter(claim__map=self.map)
        claim = request.query_params.get("claim", "")
        if claim:
            if not is_number(claim):
                raise exceptions.ValidationError({"claim": ["Give a claim id."]})
            comments = comments.filter(claim_id=int(claim))
        return page(request, comments, COMMENT_ROWS)

    @extend_schema(
        summary="Comment on a claim, or answer a comment (annotators and up)",
        request=s.CommentCreateSerializer,
        responses={201: s.CommentSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        form = s.CommentCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        claim = _claim(self.map, data["claim"])
        parent = None
        if data["parent"] is not None:
            parent = Comment.objects.filter(claim=claim, pk=data["parent"]).first()
            if parent is None:
                raise exceptions.ValidationError({"parent": ["No such comment on this claim."]})
        comment = services.add_comment(claim=claim, actor=request.user, body=data["body"], parent=parent)
        return Response(COMMENT_ROWS.one(Comment.objects.filter(pk=comment.pk)), status=status.HTTP_201_CREATED)


class CommentDetail(MapView):
    @extend_schema(summary="A comment", responses={200: s.CommentSerializer, **ERRORS})
    def get(self, request, slug: str, comment_id: int):
        return Response(COMMENT_ROWS.one(Comment.objects.filter(claim__map=self.map, pk=comment_id)))


# ----------------------------------------------------------------------------------------- events


class EventList(MapView):
    @extend_schema(
        summary="The map's log of changes, oldest first; poll with ?after=<last id seen>",
        description=(
            "Answers carry an ETag naming the map's revision. Poll with If-None-Match set to it: "
            "`304 Not Modified` comes back, without reading the log, until something changes."
        ),
        parameters=PAGING,
        responses={200: s.page_of(s.EventSerializer), 304: None, **ERRORS},
    )
    def get(self, request, slug: str):
        # Every change bumps the revision in the transaction that writes its event, so an unchanged
        # revision means an unchanged answer for any query.
        etag = f'W/"revision-{self.map.revision}"'
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        response = page(request, Event.objects.filter(map=self.map), EVENT_ROWS)
        response["ETag"] = etag
        return response
