"""The API's shapes: what it answers (read) and what it accepts (write), and so its OpenAPI schema.

Answers are built from values() rows in the views (see api/base.py); these classes describe them,
and the write serializers validate input with the same limits as the pages' forms.
"""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from rest_framework import serializers

from arguments.models import ClaimKind, RelationKind, Role, Stance, Verb, Visibility
from sources.models import AnchorStatus, SourceFormat, SourceKind


def page_of(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of a cursor page of `item`s (see api.base.page)."""
    name = item.__name__.removesuffix("Serializer")
    fields = {
        "results": item(many=True),
        "next": serializers.URLField(
            allow_null=True, help_text="The next page (same query with `after` set), or null on the last page."
        ),
    }
    # A list action answers one page object, never an array of them.
    return extend_schema_serializer(many=False)(type(f"{name}PageSerializer", (serializers.Serializer,), fields))


class NonBlankCharField(serializers.CharField):
    """Trimmed text that must keep some words, with the pages' wording for the error."""

    def __init__(self, *, blank_message: str, **kwargs) -> None:
        super().__init__(allow_blank=False, trim_whitespace=True, **kwargs)
        self.error_messages["blank"] = blank_message
        self.error_messages["required"] = blank_message


# ------------------------------------------------------------------------------------------- maps


class MapSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    question = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices)
    revision = serializers.IntegerField(help_text="Bumped by every change in the map.")
    version = serializers.IntegerField(help_text="Bumped by every change of the map's own settings; the ETag.")
    role = serializers.ChoiceField(
        choices=Role.choices, allow_null=True, help_text="Your role in the map; null if you are not a member."
    )
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()


class MapWriteSerializer(serializers.Serializer):
    title = NonBlankCharField(max_length=200, blank_message="A map needs a title.")
    question = NonBlankCharField(blank_message="Say what the map argues about.", max_length=5000)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PRIVATE)


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    role = serializers.ChoiceField(choices=Role.choices)
    created = serializers.DateTimeField()


class MemberCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(
        choices=[r for r in Role.choices if r[0] != Role.OWNER],
        help_text="Owners are made by changing the role of an existing member.",
    )


class MemberUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


# ---------------------------------------------------------------------------------------- sources


class CSLNameSerializer(serializers.Serializer):
    """An author as a CSL name: a person's family, given and suffix, or an organisation's literal name."""

    family = serializers.CharField(required=False)
    given = serializers.CharField(required=False)
    suffix = serializers.CharField(required=False)
    literal = serializers.CharField(required=False, help_text="An organisation's name, never split.")


class SourceSerializer(serializers.Serializer):
    """A source as one of a map's sources: read through the map's link to it, which holds its position."""

    id = serializers.IntegerField(source="source_id")
    slug = serializers.SlugField(source="source.slug")
    title = serializers.CharField(source="source.title")
    authors = serializers.ListField(source="source.authors", child=CSLNameSerializer())
    container_title = serializers.CharField(source="source.container_title", allow_blank=True)
    publisher = serializers.CharField(source="source.publisher", allow_blank=True)
    place = serializers.CharField(source="source.place", allow_blank=True)
    published = serializers.CharField(
        source="source.published", allow_blank=True, help_text="YYYY, YYYY-MM or YYYY-MM-DD."
    )
    kind = serializers.ChoiceField(source="source.kind", choices=SourceKind.choices)
    language = serializers.CharField(source="source.language", allow_blank=True)
    url = serializers.CharField(source="source.url", allow_blank=True)
    isbn = serializers.CharField(source="source.isbn", allow_blank=True)
    doi = serializers.CharField(source="source.doi", allow_blank=True)
    original_format = serializers.ChoiceField(source="source.original_format", choices=SourceFormat.choices)
    original_name = serializers.CharField(source="source.original_name", allow_blank=True)
    revision = serializers.IntegerField(source="source.revision", help_text="Bumped whenever the text changes.")
    sha256 = serializers.CharField(source="source.sha256")
    position = serializers.IntegerField(help_text="Its place in the map's list of sources.")


class SourceDetailSerializer(SourceSerializer):
    text = serializers.CharField(
        source="source.text", help_text="The canonical text; every offset counts Unicode code points in it."
    )


class SourceLinkSerializer(serializers.Serializer):
    source = serializers.SlugField(help_text="Slug of a source in the library that you may read.")


class SourceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=f"txt, md, html, pdf or docx, at most {settings.WARRANT_MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
    )
    title = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    authors = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Names separated by semicolons; “Family, Given” or {Organisation} where a name would be misread.",
    )
    container_title = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    publisher = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    published = serializers.RegexField(
        r"^\d{4}(-\d{2}(-\d{2})?)?$",
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid": "Write the date as YYYY, YYYY-MM or YYYY-MM-DD."},
    )
    kind = serializers.ChoiceField(choices=SourceKind.choices, default=SourceKind.OTHER)
    url = serializers.URLField(max_length=1000, required=False, allow_blank=True, default="")


class PassageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.SlugField(source="source.slug", help_text="The source's slug.")
    start = serializers.IntegerField(help_text="Start in Unicode code points of the source text.")
    end = serializers.IntegerField(help_text="End (exclusive) in code points.")
    exact = serializers.CharField(help_text="The quoted text: always source.text[start:end] unless orphaned.")
    prefix = serializers.CharField(allow_blank=True)
    suffix = serializers.CharField(allow_blank=True)
    anchor_status = serializers.ChoiceField(choices=AnchorStatus.choices)
    created = serializers.DateTimeField()


# ----------------------------------------------------------------------------------------- claims


class ClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ClaimKind.choices)
    text = serializers.CharField()
    version = serializers.IntegerField()
    created_by = serializers.CharField(
        source="created_by.username", allow_null=True, help_text="Username of its author."
    )
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()


class ClaimWriteSerializer(serializers.Serializer):
    text = NonBlankCharField(max_length=2000, blank_message="A claim needs some words.")
    kind = serializers.ChoiceField(choices=ClaimKind.choices, default=ClaimKind.CLAIM)


class DeletedClaimSerializer(serializers.Serializer):
    relations = serializers.IntegerField()
    evidence = serializers.IntegerField()
    comments = serializers.IntegerField()


class RelationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_claim = serializers.IntegerField(source="from_claim_id")
    to_claim = serializers.IntegerField(source="to_claim_id")
    kind = serializers.ChoiceField(choices=RelationKind.choices)
    scheme = serializers.CharField(allow_blank=True)
    weight = serializers.FloatField(allow_null=True)
    version = serializers.IntegerField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True)
    created = serializers.DateTimeField()


class RelationCreateSerializer(serializers.Serializer):
    from_claim = serializers.IntegerField(help_text="The claim that supports or opposes…")
    to_claim = serializers.IntegerField(help_text="…this claim.")
    kind = serializers.ChoiceField(choices=RelationKind.choices)
    scheme = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class RelationUpdateSerializer(serializers.Serializer):
    to_claim = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RelationKind.choices)


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    claim = serializers.IntegerField(source="claim_id")
    passage = serializers.IntegerField(source="passage_id")
    source = serializers.SlugField(source="passage.source.slug")
    exact = serializers.CharField(source="passage.exact", help_text="The passage's quote.")
    stance = serializers.ChoiceField(choices=Stance.choices)
    note = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True)
    created = serializers.DateTimeField()


class EvidenceCreateSerializer(serializers.Serializer):
    """A passage (an existing one, or a new selection of a source's text) linked to a claim."""

    claim = serializers.IntegerField()
    stance = serializers.ChoiceField(choices=Stance.choices)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    passage = serializers.IntegerField(required=False, help_text="An existing passage; or give source and exact.")
    source = serializers.SlugField(required=False, help_text="Slug of one of the map's sources.")
    exact = serializers.CharField(
        required=False,
        trim_whitespace=False,
        max_length=20_000,
        help_text=(
            "The quoted text. Without offsets, line-end hyphens, quote marks, dashes and white space may differ "
            "from the source's text; with offsets it must be exactly the text there."
        ),
    )
    start = serializers.IntegerField(required=False, min_value=0, help_text="Offset in code points (with end).")
    end = serializers.IntegerField(required=False, min_value=0)
    start16 = serializers.IntegerField(
        required=False, min_value=0, help_text="Offset in UTF-16 units, as browsers count (with end16)."
    )
    end16 = serializers.IntegerField(required=False, min_value=0)
    prefix = serializers.CharField(
        required=False,
        trim_whitespace=False,
        max_length=200,
        help_text="Text just before the quote, to tell apart a quote that occurs several times (no offsets).",
    )
    suffix = serializers.CharField(
        required=False, trim_whitespace=False, max_length=200, help_text="Text just after the quote (with prefix)."
    )
    offsets = serializers.ChoiceField(
        choices=["canonical", "original"],
        default="canonical",
        help_text=(
            "What `start`/`end` count in: the source's `text` (canonical, the default), or the text of the file "
            "as uploaded (original; txt, md and html sources), with `exact` exactly the words there."
        ),
    )

    def validate(self, data: dict) -> dict:
        if "passage" in data:
            return data
        if not data.get("source") or "exact" not in data:
            raise serializers.ValidationError("Give either `passage`, or `source` and `exact` (the quoted text).")
        exact = data["exact"]
        # The same checks as the reader's annotate form.
        if not exact.strip():
            raise serializers.ValidationError({"exact": "Select some text first."})
        if exact != exact.strip():
            raise serializers.ValidationError(
                {"exact": "The selection begins or ends with white space; select the words themselves."}
            )
        for a, b in (("start", "end"), ("start16", "end16")):
            if (a in data) != (b in data):
                raise serializers.ValidationError(f"Give both `{a}` and `{b}`, or neither.")
        if "start" in data and "start16" in data:
            raise serializers.ValidationError("Give offsets in code points or in UTF-16 units, not both.")
        if data["offsets"] == "original" and "start" not in data:
            raise serializers.ValidationError({"offsets": "`offsets=original` goes with `start` and `end`."})
        return data


class QuoteCandidateSerializer(serializers.Serializer):
    start = serializers.IntegerField(help_text="Code points of the source's text.")
    end = serializers.IntegerField()
    exact = serializers.CharField(help_text="The source's text there.")
    score = serializers.FloatField(help_text="100 where the quote's words stand; else how alike, 0–100.")
    original_start = serializers.IntegerField(required=False, help_text="With offsets=original: in the file.")
    original_end = serializers.IntegerField(required=False)


class QuoteRefusedSerializer(serializers.Serializer):
    """The 400 for a quote that is not where it was said to be, is nowhere, or is in several places."""

    detail = serializers.CharField(required=False, help_text="Why (quotes looked up by their words).")
    exact = serializers.ListField(child=serializers.CharField(), required=False, help_text="Why (with offsets).")
    candidates = QuoteCandidateSerializer(
        many=True, help_text="Where the words stand, or the places most like them, best first (may be empty)."
    )


class EvidenceUpdateSerializer(serializers.Serializer):
    stance = serializers.ChoiceField(choices=Stance.choices)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    claim = serializers.IntegerField(source="claim_id")
    parent = serializers.IntegerField(
        source="parent_id", allow_null=True, help_text="The comment this one answers, if any."
    )
    author = serializers.CharField(
        source="author.username", allow_null=True, help_text="Username of its author; null for imported comments."
    )
    author_name = serializers.CharField(
        help_text="An imported comment's author as the file named them (not an account here); else empty."
    )
    body = serializers.CharField(help_text="Markdown.")
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()


class CommentCreateSerializer(serializers.Serializer):
    claim = serializers.IntegerField()
    body = NonBlankCharField(max_length=10_000, blank_message="A comment needs some words.")
    parent = serializers.IntegerField(required=False, allow_null=True, default=None)


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    actor = serializers.CharField(source="actor.username", allow_null=True)
    verb = serializers.ChoiceField(choices=Verb.choices)
    object_type = serializers.CharField(help_text="claim, relation, evidence, comment, membership, …")
    object_id = serializers.IntegerField(allow_null=True)
    payload = serializers.DictField(help_text="What changed, in a shape that depends on the object type.")
    created = serializers.DateTimeField()


# ---------------------------------------------------------------------------------------- various


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


# A refused input: each field named with its messages, `non_field_errors` for the request as a whole,
# or `detail` for a refusal that comes from the rules of the map rather than from one field.
INVALID = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="What was wrong with the request: field names (or `non_field_errors`, `detail`) with messages.",
)


class StaleSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = serializers.DictField(help_text="The object as it is now, in the same shape as a GET answers.")


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A Warrant JSON export, or an AIF file from AIFdb or OVA.")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ImportResultSerializer(serializers.Serializer):
    map = MapSerializer()
    counts = serializers.DictField(help_text="What was imported, by kind, and what was left out (`skipped`).")
