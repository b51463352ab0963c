"""Argument maps built on top of sources: claims, their relations, evidence, discussion, events."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from sources.citations import DEFAULT_STYLE, STYLE_CHOICES, Formatted
from sources.models import Passage, Source

User = settings.AUTH_USER_MODEL


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private: members only"
    PUBLIC = "public", "Public: anyone can read"


class Role(models.TextChoices):
    # Ordered from most to least powerful; see arguments/access.py for what each may do.
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    ANNOTATOR = "annotator", "Annotator"
    VIEWER = "viewer", "Viewer"


class ClaimKind(models.TextChoices):
    THESIS = "thesis", "Thesis"
    CLAIM = "claim", "Claim"
    # Context and definitions (a voting rule, what a term means): shown apart and never evaluated.
    BACKGROUND = "background", "Background"


class RelationKind(models.TextChoices):
    SUPPORTS = "supports", "supports"
    OPPOSES = "opposes", "opposes"


class Stance(models.TextChoices):
    STATES = "states", "states"
    SUPPORTS = "supports", "supports"
    OPPOSES = "opposes", "opposes"


class ArgumentMap(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    question = models.TextField(help_text="The motion or question under debate.")
    description = models.TextField(blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    sources = models.ManyToManyField(Source, through="MapSource", related_name="maps", blank=True)
    citation_style = models.CharField(
        max_length=40,
        choices=STYLE_CHOICES,
        default=DEFAULT_STYLE,
        help_text="How quotes are attributed and sources listed on the map's pages, in its brief and its exports.",
    )
    revision = models.PositiveIntegerField(default=0, help_text="Bumped by every change in the map.")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(visibility__in=Visibility.values), name="map_visibility_known"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("arguments:map", args=[self.slug])

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    def cite(self, source: Source) -> Formatted:
        """`source`'s short citation and bibliography entry in this map's citation style."""
        return source.citation(self.citation_style)


class MapSource(models.Model):
    map = models.ForeignKey(ArgumentMap, on_delete=models.CASCADE, related_name="map_sources")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="map_sources")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["map_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["map", "source"], name="mapsource_once_per_map")]

    def __str__(self) -> str:
        return f"{self.source} in {self.map}"


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    map = models.ForeignKey(ArgumentMap, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["map_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "map"], name="membership_once_per_map"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.map}"


class Claim(models.Model):
    map = models.ForeignKey(ArgumentMap, on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(max_length=10, choices=ClaimKind.choices, default=ClaimKind.CLAIM)
    text = models.TextField()
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["map_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ClaimKind.values), name="claim_kind_known"),
            models.CheckConstraint(condition=~Q(text=""), name="claim_text_not_empty"),
        ]

    def __str__(self) -> str:
        return Truncator(self.text).chars(80)

    def get_absolute_url(self) -> str:
        return f"{self.map.get_absolute_url()}#claim-{self.pk}"

    @property
    def is_thesis(self) -> bool:
        return self.kind == ClaimKind.THESIS


class Relation(models.Model):
    """from_claim supports or opposes to_claim. A counterclaim is the from side of an `opposes`."""

    map = models.ForeignKey(ArgumentMap, on_delete=models.CASCADE, related_name="relations")
    from_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="outgoing")
    to_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="incoming")
    kind = models.CharField(max_length=10, choices=RelationKind.choices)
    scheme = models.CharField(max_length=100, blank=True, help_text="Argumentation scheme, if named.")
    weight = models.FloatField(null=True, blank=True, help_text="Optional strength in [0, 1].")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["map_id", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_claim=models.F("to_claim")), name="relation_no_self_loop"),
            models.UniqueConstraint(fields=["from_claim", "to_claim"], name="relation_no_duplicate"),
            models.CheckConstraint(condition=Q(kind__in=RelationKind.values), name="relation_kind_known"),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | Q(weight__gte=0, weight__lte=1), name="relation_weight_in_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_claim_id} {self.kind} {self.to_claim_id}"

    def save(self, *args, **kwargs) -> None:
        self.check_same_map()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.check_same_map()

    def check_same_map(self) -> None:
        # Compare ids so that no extra query is needed when the claims are not loaded.
        from_map = Claim.objects.filter(pk=self.from_claim_id).values_list("map_id", flat=True).first()
        to_map = Claim.objects.filter(pk=self.to_claim_id).values_list("map_id", flat=True).first()
        if not (from_map == to_map == self.map_id):
            raise ValidationError("Both claims of a relation must belong to the relation's map.")


class Evidence(models.Model):
    """A passage of a source stating, supporting or opposing a claim."""

    map = models.ForeignKey(ArgumentMap, on_delete=models.CASCADE, related_name="evidence")
    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="evidence")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    stance = models.CharField(max_length=10, choices=Stance.choices)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["map_id", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(fields=["passage", "claim"], name="evidence_once_per_passage_and_claim"),
            models.CheckConstraint(condition=Q(stance__in=Stance.values), name="evidence_stance_known"),
        ]

    def __str__(self) -> str:
        return f"passage {self.passage_id} {self.stance} claim {self.claim_id}"

    def save(self, *args, **kwargs) -> None:
        self.check_same_map()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.check_same_map()

    def check_same_map(self) -> None:
        claim_map = Claim.objects.filter(pk=self.claim_id).values_list("map_id", flat=True).first()
        if claim_map != self.map_id:
            raise ValidationError("The claim of a piece of evidence must belong to its map.")
        source_id = Passage.objects.filter(pk=self.passage_id).values_list("source_id", flat=True).first()
        if not MapSource.objects.filter(map_id=self.map_id, source_id=source_id).exists():
            raise ValidationError("Evidence must quote a source that belongs to the map.")


class Comment(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # An imported comment's author as the file named them: a name, never tied to an account here,
    # since the same name on another site may be another person.
    author_name = models.CharField(max_length=150, blank=True)
    body = models.TextField()
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["claim_id", "created", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="comment_body_not_empty"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="comment_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on claim {self.claim_id}"

    @property
    def byline(self) -> str:
        """Who wrote it: the account's username, or the name an imported file gave ("" if unknown)."""
        return self.author.get_username() if self.author_id else self.author_name


class Verb(models.TextChoices):
    CREATED = "created", "created"
    UPDATED = "updated", "updated"
    DELETED = "deleted", "deleted"
    LINKED = "linked", "linked"
    UNLINKED = "unlinked", "unlinked"
    JOINED = "joined", "joined"
    LEFT = "left", "left"
    REANCHORED = "reanchored", "re-anchored"


class Event(models.Model):
    """Append-only log of every change in a map, written in the change's own transaction."""

    map = models.ForeignKey(ArgumentMap, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=20, choices=Verb.choices)
    object_type = models.CharField(max_length=30)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["map_id", "id"]
        indexes = [models.Index(fields=["map", "id"])]
        constraints = [models.CheckConstraint(condition=Q(verb__in=Verb.values), name="event_verb_known")]

    def __str__(self) -> str:
        return f"{self.actor} {self.verb} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("Events are append-only and cannot be changed.")
        super().save(*args, **kwargs)


class InvitationQuerySet(models.QuerySet):
    def usable(self) -> "InvitationQuerySet":
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )


class Invitation(models.Model):
    """A link that lets whoever holds it join a map with a given role, until revoked or expired.

    With `email` set it was sent to one person; without, it is a shareable link.
    """

    map = models.ForeignKey(ArgumentMap, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    email = models.EmailField(blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["map_id", "-created"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role_known"),
            # Nobody can be invited to become an owner through a link; ownership is given in person.
            models.CheckConstraint(condition=~Q(role=Role.OWNER), name="invitation_not_owner"),
        ]

    def __str__(self) -> str:
        return f"invitation to {self.map} as {self.role}"

    def get_absolute_url(self) -> str:
        return reverse("invitation", args=[self.token])

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= timezone.now():
            return "expired"
        return "active"


class LinkDecision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class LinkSuggestionDecision(models.Model):
    """What a person answered to a suggested link between two claims (arguments/assist/links.py).

    A decided pair is not suggested again. The pair has no direction: the lower claim id comes first.
    """

    map = models.ForeignKey(ArgumentMap, on_delete=models.CASCADE, related_name="link_decisions")
    from_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    to_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=LinkDecision.choices)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_claim", "to_claim"], name="link_decision_once_per_pair"),
            models.CheckConstraint(condition=Q(from_claim__lt=models.F("to_claim")), name="link_decision_pair_ordered"),
            models.CheckConstraint(condition=Q(decision__in=LinkDecision.values), name="link_decision_known"),
        ]

    def __str__(self) -> str:
        return f"{self.decision} link {self.from_claim_id}–{self.to_claim_id}"
