"""Integrity lives in the models: constraints reject bad rows, and the passage invariant holds on save."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from arguments import services
from arguments.models import Claim, Comment, Event, Evidence, Membership, Relation
from sources.models import AnchorStatus, Passage, Source

from .factories import make_claim, make_map, make_source, make_user

pytestmark = pytest.mark.django_db


def rejected(create) -> bool:
    """True when the database refuses the row (the transaction is rolled back, the test goes on)."""
    try:
        with transaction.atomic():
            create()
    except (IntegrityError, ValidationError):
        return True
    return False


@pytest.fixture
def setting():
    owner = make_user()
    argument_map = make_map(owner)
    source = make_source()
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    return owner, argument_map, source


def test_passage_matching_its_text_is_saved(setting):
    _, _, source = setting
    passage = Passage.from_span(source, 0, 10)
    passage.save()
    assert passage.exact == source.text[0:10]
    assert passage.suffix == source.text[10:42]
    assert passage.prefix == ""


def test_passage_whose_quote_differs_from_its_text_is_rejected(setting):
    _, _, source = setting
    passage = Passage(source=source, start=0, end=10, exact="not there!")
    with pytest.raises(ValidationError, match="does not match"):
        passage.save()
    assert not Passage.objects.exists()


@pytest.mark.parametrize("start,end", [(5, 5), (9, 3)])
def test_passage_must_start_before_it_ends(setting, start, end):
    _, _, source = setting
    with pytest.raises(ValidationError):
        Passage(source=source, start=start, end=end, exact="").save()
    # The database enforces it too, for writes that skip save().
    assert rejected(lambda: Passage.objects.bulk_create([Passage(source=source, start=start, end=end, exact="")]))


def test_orphaned_passage_keeps_its_old_quote(setting):
    _, _, source = setting
    Passage(source=source, start=0, end=5, exact="gone", anchor_status=AnchorStatus.ORPHANED).save()
    assert Passage.objects.get().exact == "gone"


def test_claim_kind_and_text_are_checked_by_the_database(setting):
    _, argument_map, _ = setting
    assert rejected(lambda: Claim.objects.create(map=argument_map, text="x", kind="rant"))
    assert rejected(lambda: Claim.objects.create(map=argument_map, text=""))
    assert Claim.objects.create(map=argument_map, text="fine").pk


def test_relation_to_itself_is_rejected(setting):
    _, argument_map, _ = setting
    claim = make_claim(argument_map)
    assert rejected(
        lambda: Relation.objects.bulk_create(
            [Relation(map=argument_map, from_claim=claim, to_claim=claim, kind="supports")]
        )
    )


def test_duplicate_relation_is_rejected(setting):
    owner, argument_map, _ = setting
    a, b = make_claim(argument_map), make_claim(argument_map)
    services.create_relation(argument_map=argument_map, actor=owner, from_claim=a, to_claim=b, kind="supports")
    assert rejected(lambda: Relation.objects.create(map=argument_map, from_claim=a, to_claim=b, kind="opposes"))
    assert Relation.objects.count() == 1


def test_relation_kind_and_weight_are_checked(setting):
    _, argument_map, _ = setting
    a, b = make_claim(argument_map), make_claim(argument_map)
    assert rejected(lambda: Relation.objects.create(map=argument_map, from_claim=a, to_claim=b, kind="likes"))
    assert rejected(
        lambda: Relation.objects.create(map=argument_map, from_claim=a, to_claim=b, kind="supports", weight=1.5)
    )


def test_relation_across_maps_is_rejected(setting):
    owner, argument_map, _ = setting
    other = make_map(owner)
    a, b = make_claim(argument_map), make_claim(other)
    with pytest.raises(ValidationError, match="same|belong"):
        Relation.objects.create(map=argument_map, from_claim=a, to_claim=b, kind="supports")


def test_evidence_stance_and_uniqueness(setting):
    owner, argument_map, source = setting
    claim = make_claim(argument_map)
    ev = services.add_evidence(
        argument_map=argument_map, actor=owner, source=source, start=0, end=10, claim=claim, stance="states"
    )
    assert rejected(
        lambda: Evidence.objects.create(map=argument_map, passage=ev.passage, claim=claim, stance="opposes")
    )
    other = make_claim(argument_map)
    assert rejected(lambda: Evidence.objects.create(map=argument_map, passage=ev.passage, claim=other, stance="maybe"))


def test_evidence_must_quote_a_source_of_the_map(setting):
    owner, argument_map, _ = setting
    stranger_source = make_source("Not in the map")
    claim = make_claim(argument_map)
    with pytest.raises(ValidationError, match="source that belongs to the map"):
        services.add_evidence(
            argument_map=argument_map, actor=owner, source=stranger_source, start=0, end=5, claim=claim, stance="states"
        )
    # Nothing half-written: the passage created on the way was rolled back with the evidence.
    assert not Passage.objects.filter(source=stranger_source).exists()


def test_membership_is_unique_and_role_checked(setting):
    owner, argument_map, _ = setting
    assert rejected(lambda: Membership.objects.create(map=argument_map, user=owner, role="viewer"))
    someone = make_user()
    assert rejected(lambda: Membership.objects.create(map=argument_map, user=someone, role="admin"))


def test_comment_needs_a_body(setting):
    _, argument_map, _ = setting
    claim = make_claim(argument_map)
    assert rejected(lambda: Comment.objects.create(claim=claim, body=""))


def test_events_are_append_only(setting):
    _, argument_map, _ = setting
    event = Event.objects.filter(map=argument_map).first()
    event.verb = "deleted"
    with pytest.raises(ValidationError):
        event.save()


def source_columns() -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, Source._meta.db_table)]


def test_a_sources_large_columns_come_last():
    """On SQLite a column after a long text is read by walking the text's overflow pages (see Source)."""
    large = ["text", "original", "original_offsets"]
    assert [f.column for f in Source._meta.concrete_fields][-3:] == large
    if connection.vendor == "sqlite":  # PostgreSQL keeps long values apart from the row, and its table as made
        assert source_columns()[-3:] == large
