"""What a map is made of: claims, relations, evidence, comments, and the log of events.

Versioned objects (claims, relations, evidence) follow api.base.Versioned: ETag on GET, If-Match on
PATCH, PUT and DELETE, checked again by the service inside its transaction.
"""

from django.db import IntegrityError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from arguments import services
from arguments.access import Need
from arguments.models import Claim, Comment, Event, Evidence, MapSource, Relation
from sources.anchoring.quotes import same_words
from sources.models import Passage, Source
from sources.offsets import OriginalOffsets, original_offsets
from sources.selection import QuoteRefused, resolve_selection

from . import serializers as s
from .base import MapViewSet, Rows, VersionedDeletion, capabilities, is_number, page, pick, with_etag
from .idempotency import idempotent
from .maps import CREATE_ERRORS, CREATING, ERRORS, PAGING, VERSIONED_ERRORS, versioned_operations


def _claim(argument_map, claim_id: int, *, field: str = "claim") -> Claim:
    """A claim of this map named in a request body; a 400 naming the field otherwise."""
    claim = Claim.objects.filter(map=argument_map, pk=claim_id).first()
    if claim is None:
        raise exceptions.ValidationError({field: [f"There is no claim {claim_id} in this map."]})
    return claim


def _filtered_by_claim(request, queryset):
    claim = request.query_params.get("claim", "")
    if claim:
        if not is_number(claim):
            raise exceptions.ValidationError({"claim": ["Give a claim id."]})
        queryset = queryset.filter(claim_id=int(claim))
    return queryset


class QuoteNotThere(exceptions.APIException):
    """400 with the places a refused quote's words stand (QuoteRefusedSerializer): numbers stay numbers,
    which DRF's ValidationError would turn into strings."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, body: dict) -> None:
        self.detail = body


def _refused(refusal: QuoteRefused, *, field: str, offsets: OriginalOffsets | None = None) -> QuoteNotThere:
    candidates = []
    for c in refusal.candidates:
        candidate = {"start": c.start, "end": c.end, "exact": c.text, "score": c.score}
        if offsets is not None:
            candidate["original_start"] = offsets.to_original(c.start)
            candidate["original_end"] = offsets.to_original(c.end)
        candidates.append(candidate)
    message = refusal.messages[0]
    return QuoteNotThere({field: message if field == "detail" else [message], "candidates": candidates})


def _canonical_span(source: Source, start: int, end: int, exact: str) -> tuple[int, int]:
    """start/end in the source's text, where `exact` must stand (its quote marks, dashes, line-end hyphens and
    white space may differ); a refusal that says where it does stand otherwise."""
    # Slicing forgives an end past the text; the stored passage must not.
    there = source.text[start:end]
    if end > len(source.text) or start >= end or there != there.strip() or not same_words(there, exact):
        raise QuoteRefused.for_quote(
            source.text, exact, "The quote does not match the source text at these offsets (code points)."
        )
    return start, end


def _original_span(source: Source, start: int, end: int, exact: str) -> tuple[int, int]:
    """start/end in the uploaded file's text, carried to the canonical text (offsets=original)."""
    mapped = original_offsets(source)
    if mapped is None:
        raise exceptions.ValidationError(
            {"offsets": ["This source was not uploaded as a text file (txt, md, html): give offsets in its text."]}
        )
    original, offsets = mapped
    if end > len(original) or start >= end or not same_words(original[start:end], exact):
        refusal = QuoteRefused.for_quote(
            source.text, exact, "The quote does not match the original file at these offsets (code points)."
        )
        raise _refused(refusal, field="exact", offsets=offsets)
    canonical_start, canonical_end = offsets.start(start), offsets.end(end)
    # The import may have dropped white space, markup or a hyphen at either edge; the passage is the words.
    text = source.text
    while canonical_start < canonical_end and text[canonical_start].isspace():
        canonical_start += 1
    while canonical_end > canonical_start and text[canonical_end - 1].isspace():
        canonical_end -= 1
    if canonical_start >= canonical_end:
        raise exceptions.ValidationError({"exact": ["These words of the file are not part of the source's text."]})
    return canonical_start, canonical_end


# ----------------------------------------------------------------------------------------- claims


@versioned_operations(
    s.ClaimSerializer,
    s.ClaimWriteSerializer,
    one="A claim",
    change="Change a claim's text or kind (its author, or an editor; needs If-Match)",
    replace="Replace a claim's text and kind (its author, or an editor; needs If-Match)",
    delete="Delete a claim with its relations, evidence and comments (needs If-Match)",
    deleted={200: s.DeletedClaimSerializer, **VERSIONED_ERRORS},
)
class Claims(VersionedDeletion, MapViewSet):
    needs = capabilities(create=Need.ANNOTATE, change=Need.ANNOTATE)
    lookup_url_kwarg = "claim_id"
    rows = Rows(s.ClaimSerializer)
    write_serializer = s.ClaimWriteSerializer

    def scope(self):
        return Claim.objects.filter(map=self.map)

    @extend_schema(
        summary="Claims of the map", parameters=PAGING, responses={200: s.page_of(s.ClaimSerializer), **ERRORS}
    )
    def list(self, request, slug: str):
        return page(request, self.scope(), self.rows)

    @extend_schema(
        summary="Add a claim (annotators and up)",
        parameters=CREATING,
        request=s.ClaimWriteSerializer,
        responses={201: s.ClaimSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def create(self, request, slug: str):
        form = s.ClaimWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        claim = services.create_claim(argument_map=self.map, actor=request.user, **form.validated_data)
        return with_etag(self.represent(claim.pk), status_code=status.HTTP_201_CREATED)

    def changeable(self, lock: bool = False) -> Claim:
        claim = get_object_or_404(self.scope().select_related("map"), pk=self.kwargs["claim_id"])
        if not self.access.can_change(claim.created_by_id):
            raise exceptions.PermissionDenied("Annotators can change only the claims they wrote.")
        return claim

    def save(self, claim: Claim, data: dict, version: int) -> None:
        fields = pick(data, ("text", "kind"), claim)
        services.update_claim(claim=claim, actor=self.request.user, expected_version=version, **fields)

    def deletable(self) -> Claim:
        claim = get_object_or_404(self.scope().select_related("map"), pk=self.kwargs["claim_id"])
        if not self.access.can_delete_claim(claim):
            raise exceptions.PermissionDenied(
                "Annotators delete only their own claims, and only while no other claim, evidence or comment "
                "by someone else depends on them. Ask an editor."
            )
        return claim

    def remove(self, claim: Claim, version: int) -> dict:
        try:
            return services.delete_claim(claim=claim, actor=self.request.user, expected_version=version)
        except Claim.DoesNotExist:
            raise exceptions.NotFound("This claim has already been deleted.") from None


# -------------------------------------------------------------------------------------- relations


@versioned_operations(
    s.RelationSerializer,
    s.RelationUpdateSerializer,
    one="A relation",
    change="Re-link: change what the claim bears on, or how (editors; needs If-Match)",
    replace="Replace what the claim bears on and how (editors; needs If-Match)",
    delete="Unlink two claims; both stay (editors; needs If-Match)",
)
class Relations(VersionedDeletion, MapViewSet):
    # As on the pages: re-linking and unlinking is for editors.
    needs = capabilities(create=Need.ANNOTATE, change=Need.EDIT)
    lookup_url_kwarg = "relation_id"
    rows = Rows(s.RelationSerializer)
    write_serializer = s.RelationUpdateSerializer

    def scope(self):
        return Relation.objects.filter(map=self.map)

    @extend_schema(
        summary="Supports and opposes links between claims",
        parameters=PAGING,
        responses={200: s.page_of(s.RelationSerializer), **ERRORS},
    )
    def list(self, request, slug: str):
        return page(request, self.scope(), self.rows)

    @extend_schema(
        summary="Link two claims (annotators and up)",
        parameters=CREATING,
        request=s.RelationCreateSerializer,
        responses={201: s.RelationSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def create(self, request, slug: str):
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
        return with_etag(self.represent(relation.pk), status_code=status.HTTP_201_CREATED)

    def changeable(self, lock: bool = False) -> Relation:
        relations = self.scope().select_for_update() if lock else self.scope()
        return get_object_or_404(relations.select_related("map", "from_claim"), pk=self.kwargs["relation_id"])

    def save(self, relation: Relation, data: dict, version: int) -> None:
        to_claim = _claim(self.map, data["to_claim"], field="to_claim") if "to_claim" in data else relation.to_claim
        services.update_relation(
            relation=relation,
            actor=self.request.user,
            kind=data.get("kind", relation.kind),
            to_claim=to_claim,
            expected_version=version,
        )

    def remove(self, relation: Relation, version: int) -> None:
        services.delete_relation(relation=relation, actor=self.request.user)


# --------------------------------------------------------------------------------------- evidence


@versioned_operations(
    s.EvidenceSerializer,
    s.EvidenceUpdateSerializer,
    one="A piece of evidence",
    change="Change the stance or note (its author, or an editor; needs If-Match)",
    replace="Replace the stance and note (its author, or an editor; needs If-Match)",
    delete="Remove the evidence; its passage goes with its last quote (needs If-Match)",
)
class EvidenceViewSet(VersionedDeletion, MapViewSet):
    needs = capabilities(create=Need.ANNOTATE, change=Need.ANNOTATE)
    lookup_url_kwarg = "evidence_id"
    rows = Rows(s.EvidenceSerializer)
    write_serializer = s.EvidenceUpdateSerializer

    def scope(self):
        return Evidence.objects.filter(map=self.map)

    @extend_schema(
        summary="Passages linked to claims: states, supports or opposes",
        parameters=[*PAGING, OpenApiParameter("claim", int, description="Only the evidence for this claim.")],
        responses={200: s.page_of(s.EvidenceSerializer), **ERRORS},
    )
    def list(self, request, slug: str):
        return page(request, _filtered_by_claim(request, self.scope()), self.rows)

    @extend_schema(
        summary="Quote a passage as evidence for a claim (annotators and up)",
        description=(
            "Name an existing `passage`, or select new text with `source` (a slug) and `exact` (the quote). "
            "With `start`/`end` (code points) or `start16`/`end16` (UTF-16 units, as browsers count) the quote "
            "must be exactly the text there; `offsets: original` takes `start`/`end` in the file as uploaded. "
            "Without offsets the quote must occur once in the source, but its line-end hyphens, quote marks, "
            "dashes, white space (and, failing all else, capitals) may differ. A refused quote's 400 lists "
            "`candidates`: where its words stand, or the places most like them."
        ),
        parameters=CREATING,
        request=s.EvidenceCreateSerializer,
        responses={
            201: s.EvidenceSerializer,
            **CREATE_ERRORS,
            400: OpenApiResponse(
                s.QuoteRefusedSerializer,
                description="A refused quote, with `candidates`; or invalid fields, named with their messages.",
            ),
        },
    )
    @idempotent
    def create(self, request, slug: str):
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
        return with_etag(self.represent(evidence.pk), status_code=status_code)

    def _span(self, data: dict) -> tuple[Source, int, int]:
        """The source and code-point span to quote, checked against the text as the reader checks it."""
        in_map = MapSource.objects.filter(map=self.map).values("source_id")
        if "passage" in data:
            passage = Passage.objects.select_related("source").filter(pk=data["passage"], source__in=in_map).first()
            if passage is None:
                raise exceptions.ValidationError({"passage": ["No such passage in this map's sources."]})
            return passage.source, passage.start, passage.end
        source = Source.objects.defer("original", "original_offsets").filter(slug=data["source"], pk__in=in_map).first()
        if source is None:
            raise exceptions.ValidationError({"source": ["This map has no source with that slug."]})
        try:
            if data["offsets"] == "original":
                return source, *_original_span(source, data["start"], data["end"], data["exact"])
            if "start" in data:
                return source, *_canonical_span(source, data["start"], data["end"], data["exact"])
            start, end = resolve_selection(source, data)
        except QuoteRefused as refusal:
            raise _refused(refusal, field="exact" if "start" in data else "detail") from None
        return source, start, end

    def changeable(self, lock: bool = False) -> Evidence:
        evidence = self.scope().select_for_update() if lock else self.scope()
        evidence = get_object_or_404(evidence.select_related("map"), pk=self.kwargs["evidence_id"])
        if not self.access.can_change(evidence.created_by_id):
            raise exceptions.PermissionDenied("You can change only your own annotations.")
        return evidence

    def save(self, evidence: Evidence, data: dict, version: int) -> None:
        fields = pick(data, ("stance", "note"), evidence)
        services.update_evidence(evidence=evidence, actor=self.request.user, expected_version=version, **fields)

    def remove(self, evidence: Evidence, version: int) -> None:
        services.delete_evidence(evidence=evidence, actor=self.request.user)


# --------------------------------------------------------------------------------------- comments


class Comments(MapViewSet):
    needs = capabilities(create=Need.ANNOTATE)
    lookup_url_kwarg = "comment_id"
    rows = Rows(s.CommentSerializer)

    def scope(self):
        return Comment.objects.filter(claim__map=self.map)

    @extend_schema(
        summary="The discussion on the map's claims",
        parameters=[*PAGING, OpenApiParameter("claim", int, description="Only the comments on this claim.")],
        responses={200: s.page_of(s.CommentSerializer), **ERRORS},
    )
    def list(self, request, slug: str):
        return page(request, _filtered_by_claim(request, self.scope()), self.rows)

    @extend_schema(
        summary="Comment on a claim, or answer a comment (annotators and up)",
        parameters=CREATING,
        request=s.CommentCreateSerializer,
        responses={201: s.CommentSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def create(self, request, slug: str):
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
        return Response(self.represent(comment.pk), status=status.HTTP_201_CREATED)

    @extend_schema(summary="A comment", responses={200: s.CommentSerializer, **ERRORS})
    def retrieve(self, request, slug: str, comment_id: int):
        return Response(self.represent(comment_id))


# ----------------------------------------------------------------------------------------- events


class Events(MapViewSet):
    rows = Rows(s.EventSerializer)

    @extend_schema(
        summary="The map's log of changes, oldest first; poll with ?after=<last id seen>",
        description=(
            "Answers carry an ETag naming the map's revision. Poll with If-None-Match set to it: "
            "`304 Not Modified` comes back, without reading the log, until something changes."
        ),
        parameters=PAGING,
        responses={200: s.page_of(s.EventSerializer), 304: None, **ERRORS},
    )
    def list(self, request, slug: str):
        # Every change bumps the revision in the transaction that writes its event, so an unchanged
        # revision means an unchanged answer for any query.
        etag = f'W/"revision-{self.map.revision}"'
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        response = page(request, Event.objects.filter(map=self.map), self.rows)
        response["ETag"] = etag
        return response
