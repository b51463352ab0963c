"""Every change writes one Event in its own transaction and bumps the map's revision."""

import pytest
from django.core.exceptions import ValidationError

from arguments import services
from arguments.models import ArgumentMap, Claim, Event

from .factories import make_claim, make_map, make_source, make_user

pytestmark = pytest.mark.django_db


def revision(argument_map) -> int:
    return ArgumentMap.objects.values_list("revision", flat=True).get(pk=argument_map.pk)


def test_each_change_writes_one_event_and_bumps_the_revision():
    owner = make_user()
    argument_map = make_map(owner)
    assert list(Event.objects.values_list("verb", "object_type")) == [("created", "argumentmap")]
    before_events, before_revision = Event.objects.count(), revision(argument_map)

    source = make_source()
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    a = make_claim(argument_map, "A", actor=owner)
    b = make_claim(argument_map, "B", actor=owner)
    services.create_relation(argument_map=argument_map, actor=owner, from_claim=a, to_claim=b, kind="opposes")
    services.add_evidence(
        argument_map=argument_map, actor=owner, source=source, start=0, end=9, claim=a, stance="states"
    )
    services.add_comment(claim=a, actor=owner, body="Is this right?")

    assert Event.objects.count() - before_events == 6
    assert revision(argument_map) - before_revision == 6
    last = Event.objects.order_by("id").last()
    assert (last.actor, last.verb, last.object_type) == (owner, "created", "comment")


def test_a_failed_change_writes_no_event():
    owner = make_user()
    argument_map = make_map(owner)
    claim = make_claim(argument_map)
    events = Event.objects.count()
    with pytest.raises(ValidationError):
        services.create_relation(argument_map=argument_map, actor=owner, from_claim=claim, to_claim=claim, kind="x")
    assert Event.objects.count() == events


def test_an_edit_from_an_old_version_is_refused_and_changes_nothing():
    owner = make_user()
    argument_map = make_map(owner)
    claim = make_claim(argument_map, "Coalitions are fast.")
    first = services.update_claim(
        claim=claim, actor=owner, text="Coalitions are faster.", kind="claim", expected_version=1
    )
    assert first.version == 2
    with pytest.raises(services.EditConflict) as conflict:
        services.update_claim(claim=claim, actor=owner, text="Coalitions are slow.", kind="claim", expected_version=1)
    assert conflict.value.current.text == "Coalitions are faster."
    assert Claim.objects.get(pk=claim.pk).text == "Coalitions are faster."
    update = Event.objects.filter(verb="updated").get()
    assert update.payload["previous_text"] == "Coalitions are fast."
