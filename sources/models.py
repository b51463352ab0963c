"""Documents and spans of their text. Knows nothing about arguments."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils.text import Truncator, slugify

from .citations import Formatted, format_source
from .names import clean_names, names_field, names_line

# How much context a passage keeps on each side (the W3C TextQuoteSelector's prefix/suffix).
CONTEXT_CHARS = 32
# How many times a new source retries its slug when a simultaneous upload took the one it chose.
SLUG_ATTEMPTS = 5
# What a citation reads: load these (with .only) where a source is cited without its text.
CITATION_FIELDS = (
    "title", "slug", "kind", "authors", "container_title", "publisher", "place", "published",
    "url", "isbn", "doi", "language",
)  # fmt: skip


class SourceKind(models.TextChoices):
    BOOK = "book", "Book"
    BOOK_CHAPTER = "book_chapter", "Book chapter"
    ARTICLE = "article", "Journal article"
    OP_ED = "op_ed", "Op-ed"
    POLICY_BRIEF = "policy_brief", "Policy brief"
    REPORT = "report", "Report"
    WEB_PAGE = "web_page", "Web page"
    OTHER = "other", "Other"


class SourceFormat(models.TextChoices):
    TXT = "txt", "Plain text"
    MD = "md", "Markdown"
    HTML = "html", "HTML"
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (DOCX)"


class SourceQuerySet(models.QuerySet):
    def for_library(self) -> "SourceQuerySet":
        # The library lists sources without loading their (possibly long) texts.
        return self.defer("text", "original", "original_offsets").select_related("added_by").order_by("title")


class Source(models.Model):
    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=120, unique=True)
    container_title = models.CharField(
        max_length=500, blank=True, help_text="The book, journal, site or series it appeared in."
    )
    authors = models.JSONField(
        default=list,
        blank=True,
        help_text='Names in order, as CSL names: {"family", "given", "suffix"} or {"literal"} for an organisation.',
    )
    publisher = models.CharField(max_length=300, blank=True)
    place = models.CharField(max_length=200, blank=True)
    published = models.CharField(
        max_length=10, blank=True, help_text="Date of publication: YYYY, YYYY-MM or YYYY-MM-DD."
    )
    kind = models.CharField(max_length=20, choices=SourceKind.choices, default=SourceKind.OTHER)
    language = models.CharField(max_length=20, blank=True, default="en")
    url = models.URLField(max_length=1000, blank=True)
    isbn = models.CharField(max_length=20, blank=True)
    doi = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    # Of the canonical text (`text`, below with the other large column).
    sha256 = models.CharField(max_length=64, editable=False)
    revision = models.PositiveIntegerField(default=1, help_text="Bumped whenever the text changes.")

    original_name = models.CharField(max_length=255, blank=True)
    original_format = models.CharField(max_length=10, choices=SourceFormat.choices)

    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    # The canonical text (normalised plain text that every passage offset refers to) and the file it
    # came from. These two large columns come last: SQLite stores a row's values in column order, and
    # reading a column that lies after a long text walks the text's overflow pages.
    text = models.TextField()
    original = models.BinaryField(blank=True, editable=False)
    # Where offsets into the original file's text fall in `text` (sources.offsets.OriginalOffsets, as
    # bytes), made at import for text formats; empty when there is none, and computed from `original`
    # when asked for if it was made for another revision of the text.
    original_offsets = models.BinaryField(blank=True, editable=False, default=b"")

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(revision__gte=1), name="source_revision_positive"),
            models.CheckConstraint(
                condition=models.Q(original_format__in=SourceFormat.values), name="source_format_known"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=SourceKind.values), name="source_kind_known"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Names may still arrive as strings ("Ana Lima"): they are stored as CSL names.
        self.authors = clean_names(self.authors)
        self.sha256 = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        if self.slug:
            super().save(*args, **kwargs)
            return
        # Two uploads with the same title at the same moment can both find a slug free; the unique
        # index decides, and the one that lost takes the next free slug instead of failing.
        for attempt in range(SLUG_ATTEMPTS):
            self.slug = self._unique_slug()
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                taken = Source.objects.filter(slug=self.slug).exists()
                self.slug = ""
                if not taken or attempt == SLUG_ATTEMPTS - 1:
                    raise

    def get_absolute_url(self) -> str:
        return reverse("sources:detail", args=[self.slug])

    def _unique_slug(self) -> str:
        # Cut long titles at a word boundary: readable URLs, never a trailing hyphen.
        base = slugify(self.title)
        if len(base) > 60:
            base = base[:61].rsplit("-", 1)[0]
        base = base.strip("-") or "source"
        slug, n = base, 2
        while Source.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    @property
    def author_line(self) -> str:
        """'Joseph R. Biden Jr. and United Nations': the names as they read in prose."""
        return names_line(self.authors)

    @property
    def authors_field(self) -> str:
        """The names as the edit form shows them: 'Ana Lima; Bo Chen'."""
        return names_field(self.authors)

    def citation(self, style: str | None = None) -> Formatted:
        """The short citation and bibliography entry in a CSL style (sources/citations.py)."""
        return format_source(self, style)

    @property
    def full_citation(self) -> str:
        """The bibliography entry in the default style; pages of a map use the map's style instead."""
        return self.citation().entry

    @property
    def short_citation(self) -> str:
        """'Coicaud 2007', 'United Nations 1945' in the default style: how a quote is attributed."""
        return self.citation().short


class AnchorStatus(models.TextChoices):
    ANCHORED = "anchored", "Anchored"
    MOVED = "moved", "Moved (re-anchored after an edit)"
    ORPHANED = "orphaned", "Orphaned (needs re-attaching)"


class PassageQuerySet(models.QuerySet):
    def placed(self) -> "PassageQuerySet":
        return self.exclude(anchor_status=AnchorStatus.ORPHANED)


class Passage(models.Model):
    """A span of a source's canonical text, anchored the way W3C Web Annotation anchors text.

    `start`/`end` count Unicode code points (TextPositionSelector); `exact`, `prefix` and `suffix`
    (TextQuoteSelector) let the span be found again after the text changes.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="passages")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=CONTEXT_CHARS, blank=True)
    suffix = models.CharField(max_length=CONTEXT_CHARS, blank=True)
    anchor_status = models.CharField(max_length=10, choices=AnchorStatus.choices, default=AnchorStatus.ANCHORED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)

    objects = PassageQuerySet.as_manager()

    class Meta:
        ordering = ["source_id", "start", "end"]
        indexes = [models.Index(fields=["source", "start"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="passage_start_before_end"),
            models.CheckConstraint(condition=models.Q(start__gte=0), name="passage_start_not_negative"),
            models.CheckConstraint(
                condition=models.Q(anchor_status__in=AnchorStatus.values), name="passage_anchor_status_known"
            ),
            # One placed passage per span, however many claims and maps quote it. An orphan keeps the
            # offsets it had, which new words may take meanwhile, so orphans are left out.
            models.UniqueConstraint(
                fields=["source", "start", "end"],
                condition=~models.Q(anchor_status=AnchorStatus.ORPHANED),
                name="passage_once_per_span",
            ),
        ]

    def __str__(self) -> str:
        return f"“{Truncator(self.exact).chars(60)}” ({self.source})"

    def save(self, *args, **kwargs) -> None:
        self.check_invariant()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.source.get_absolute_url()}#passage-{self.pk}"

    @classmethod
    def from_span(cls, source: Source, start: int, end: int, **fields) -> "Passage":
        """A passage over source.text[start:end], with its quote and context filled in."""
        text = source.text
        return cls(
            source=source,
            start=start,
            end=end,
            exact=text[start:end],
            prefix=text[max(0, start - CONTEXT_CHARS) : start],
            suffix=text[end : end + CONTEXT_CHARS],
            **fields,
        )

    def check_invariant(self) -> None:
        """The quote must be exactly the text at its offsets (orphans keep their old quote)."""
        if not (0 <= self.start < self.end):
            raise ValidationError("A passage must start before it ends, at a position of 0 or more.")
        if self.anchor_status == AnchorStatus.ORPHANED:
            return
        found = self.source.text[self.start : self.end]
        if found != self.exact:
            raise ValidationError(
                f"The quote does not match the source text at {self.start}–{self.end}: "
                f"expected {self.exact[:40]!r}, found {found[:40]!r}."
            )

    def clean(self) -> None:
        self.check_invariant()


class SourceEmbedding(models.Model):
    """The sentences of one revision of a source's text and their embeddings (see sources/sentence_index.py).

    One row per source, replaced when the text or the model changes. Vectors are stored as bytes and
    compared in numpy: row i of `vectors` belongs to the sentence at `spans` pair i.
    """

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="embedding")
    revision = models.PositiveIntegerField(help_text="The text revision the sentences were cut from.")
    model = models.CharField(max_length=100, help_text="The embedding model that made the vectors.")
    count = models.PositiveIntegerField(help_text="How many sentences.")
    dimensions = models.PositiveIntegerField()
    created = models.DateTimeField(auto_now=True)
    # The two large columns come last, as on Source.
    spans = models.BinaryField(help_text="int32 (start, end) pairs in code points, one per sentence.")
    vectors = models.BinaryField(help_text="float32, count × dimensions, unit length.")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(revision__gte=1), name="source_embedding_revision_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.count} sentences of {self.source_id} (revision {self.revision}, {self.model})"


class SourceRevision(models.Model):
    """A text a source had before an edit replaced it, kept so that it can be read again and restored.

    `revision` is the number the text had (Source.revision at the time). The edit that replaced it is
    described here too: when (`replaced`), by whom (`replaced_by`), whether it restored an earlier
    revision (`restored`), and how it changed the paragraphs. The current text is the source's own, so
    a source's revisions and its text together are its whole history (sources/revisions.py).
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField(help_text="The number this text had.")
    sha256 = models.CharField(max_length=64, editable=False)
    length = models.PositiveIntegerField(help_text="Characters (code points) of the text.")
    replaced = models.DateTimeField(auto_now_add=True, help_text="When an edit replaced this text.")
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    restored = models.PositiveIntegerField(
        null=True, blank=True, help_text="The earlier revision that the replacing edit brought back, if it did."
    )
    paragraphs_added = models.PositiveIntegerField(default=0)
    paragraphs_removed = models.PositiveIntegerField(default=0)
    paragraphs_changed = models.PositiveIntegerField(default=0)
    # The large column last, as on Source.
    text = models.TextField()

    class Meta:
        ordering = ["source_id", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["source", "revision"], name="source_revision_once"),
            models.CheckConstraint(condition=models.Q(revision__gte=1), name="source_revision_number_positive"),
        ]

    def __str__(self) -> str:
        return f"revision {self.revision} of {self.source_id}"
