"""Editors of a shared source's text saving at the same moment, each a real client with its own database
connection: one copy per map at most, and no map ever gets a text only another map's editor meant."""

import pytest
from django.test import Client
from django.urls import reverse

from arguments import services
from arguments.models import MapSource, Visibility
from sources.models import Source

from .factories import cite, make_map, make_source, make_user
from .parallel import in_parallel

pytestmark = pytest.mark.django_db(transaction=True)

EDITORS = 4


def edit_url(argument_map, source) -> str:
    return reverse("arguments:source_edit_text", args=[argument_map.slug, source.slug])


def previewed_form(client: Client, argument_map, source, text: str) -> dict:
    """The form a browser holds after previewing `text`: a save of it is one POST away."""
    response = client.post(edit_url(argument_map, source), {"text": text, "version": 1, "action": "preview"})
    form = response.context["form"].initial
    return {"text": form["text"], "version": form["version"], "previewed": form["previewed"], "action": "save"}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def shared(owner):
    """A public map's source, also used by a seminar whose EDITORS editors may not edit the public map."""
    public = make_map(owner, title="Open seminar", visibility=Visibility.PUBLIC)
    source = make_source("A shared reading", added_by=owner)
    services.add_source(argument_map=public, source=source, actor=owner)
    cite(public, source, "Security Council is blocked", owner)
    lead = make_user("lead")
    seminar = make_map(lead, title="Seminar")
    services.add_source(argument_map=seminar, source=source, actor=lead)
    editors = [make_user(f"editor{i}") for i in range(EDITORS)]
    for person in editors:
        services.add_member(argument_map=seminar, user=person, role="editor", actor=lead)
    return public, seminar, source, editors


def test_editors_of_one_map_saving_at_once_make_one_copy_and_the_rest_are_told(shared):
    public, seminar, source, editors = shared
    original = Source.objects.get(pk=source.pk).text
    clients = [logged_in(person) for person in editors]
    forms = [previewed_form(clients[i], seminar, source, f"Text by editor {i}.") for i in range(EDITORS)]

    responses = in_parallel(lambda i: clients[i].post(edit_url(seminar, source), forms[i]), EDITORS)

    assert not [r for r in responses if isinstance(r, Exception)], responses
    saved = [i for i, r in enumerate(responses) if r.status_code == 302]
    told = [i for i, r in enumerate(responses) if r.status_code == 409]
    assert len(saved) == 1 and len(told) == EDITORS - 1, [r.status_code for r in responses]
    copy = MapSource.objects.get(map=seminar).source
    assert Source.objects.count() == 2 and copy.text == f"Text by editor {saved[0]}."
    for i in told:
        page = responses[i].content.decode()
        assert "it went into a copy of the source for this map" in page
        assert f'action="{edit_url(seminar, copy)}"' in page  # their next save goes to the copy
    assert Source.objects.get(pk=source.pk).text == original
    assert MapSource.objects.get(map=public).source_id == source.pk


def test_an_edit_in_place_and_a_copy_at_once_never_cross(owner, shared):
    """The public map's owner may edit both maps (in place); a seminar editor may not (a copy)."""
    public, seminar, source, editors = shared
    services.add_member(argument_map=seminar, user=owner, role="editor", actor=seminar.created_by)
    mine, theirs = logged_in(owner), logged_in(editors[0])
    forms = [
        previewed_form(mine, public, source, "The owner's text."),
        previewed_form(theirs, seminar, source, "Mine."),
    ]
    urls = [edit_url(public, source), edit_url(seminar, source)]

    responses = in_parallel(lambda i: (mine, theirs)[i].post(urls[i], forms[i]), 2)

    assert not [r for r in responses if isinstance(r, Exception)], responses
    assert responses[0].status_code == 302  # in place: it either came first, or after the copy left
    assert Source.objects.get(pk=source.pk).text == "The owner's text."
    seminar_text = MapSource.objects.get(map=seminar).source.text
    if responses[1].status_code == 302:  # the copy came first: the seminar keeps its own text
        assert seminar_text == "Mine." and Source.objects.count() == 2
    else:  # the edit in place came first, for both maps: the seminar editor is told
        assert responses[1].status_code == 409
        assert seminar_text == "The owner's text." and Source.objects.count() == 1
