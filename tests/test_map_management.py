"""Owners manage settings, editors add sources; too-low roles get 403 and outsiders 404."""

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import ArgumentMap, Claim, Event, Evidence, MapSource
from sources.models import Passage, Source

from .factories import make_claim, make_map, make_source
from .queries import queries_at_two_sizes

pytestmark = pytest.mark.django_db

SETTINGS_STATUS = {"owner": 200, "editor": 403, "annotator": 403, "viewer": 403, "outsider": 404}
ADD_SOURCE_STATUS = {"owner": 200, "editor": 200, "annotator": 403, "viewer": 403, "outsider": 404}


@pytest.fixture
def people(owner, editor, annotator, viewer, outsider):
    return {"owner": owner, "editor": editor, "annotator": annotator, "viewer": viewer, "outsider": outsider}


@pytest.mark.parametrize("who", SETTINGS_STATUS)
def test_only_the_owner_opens_and_saves_settings(client, people, private_map, who):
    client.force_login(people[who])
    url = reverse("arguments:settings", args=[private_map.slug])
    assert client.get(url).status_code == SETTINGS_STATUS[who]
    data = {"title": "Renamed", "question": "Q?", "description": "", "visibility": "public", "version": 1}
    response = client.post(url, data)
    expected = 302 if who == "owner" else SETTINGS_STATUS[who]
    assert response.status_code == expected
    renamed = ArgumentMap.objects.get(pk=private_map.pk).title == "Renamed"
    assert renamed == (who == "owner")


def test_anonymous_visitors_cannot_see_private_settings(client, private_map):
    assert client.get(reverse("arguments:settings", args=[private_map.slug])).status_code == 404


def test_settings_saved_from_a_stale_form_are_refused(client, owner, private_map):
    client.force_login(owner)
    url = reverse("arguments:settings", args=[private_map.slug])
    fresh = {"title": "First", "question": "Q?", "description": "", "visibility": "private", "version": 1}
    assert client.post(url, fresh).status_code == 302
    stale = dict(fresh, title="Second")
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "Someone else changed these settings" in response.content.decode()
    assert ArgumentMap.objects.get(pk=private_map.pk).title == "First"


@pytest.mark.parametrize("who", ADD_SOURCE_STATUS)
def test_editors_and_owners_add_sources(client, people, private_map, owner, who):
    extra = make_source("Extra reading", added_by=people[who])
    client.force_login(people[who])
    url = reverse("arguments:add_source", args=[private_map.slug])
    assert client.get(url).status_code == ADD_SOURCE_STATUS[who]
    response = client.post(url, {"source": extra.pk})
    assert response.status_code == (302 if ADD_SOURCE_STATUS[who] == 200 else ADD_SOURCE_STATUS[who])
    added = MapSource.objects.filter(map=private_map, source=extra).exists()
    assert added == (ADD_SOURCE_STATUS[who] == 200)
    assert Event.objects.filter(map=private_map, object_type="mapsource").count() == 1 + added


def test_a_source_i_cannot_read_cannot_be_added(client, editor, outsider, private_map):
    hidden = make_source("Someone else's upload", added_by=outsider)
    client.force_login(editor)
    response = client.post(reverse("arguments:add_source", args=[private_map.slug]), {"source": hidden.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not MapSource.objects.filter(source=hidden).exists()


# ---- removing a source, deleting the map --------------------------------------------------------


@pytest.fixture
def quoted(private_map, owner):
    """The map's source quoted twice: one passage for two claims, and one passage shared with another map."""
    source = private_map.sources.get()
    first, second = make_claim(private_map, "First.", actor=owner), make_claim(private_map, "Second.", actor=owner)
    for claim in (first, second):
        services.add_evidence(
            argument_map=private_map, actor=owner, source=source, start=0, end=30, claim=claim, stance="supports"
        )
    services.add_evidence(
        argument_map=private_map, actor=owner, source=source, start=31, end=60, claim=first, stance="opposes"
    )
    other = make_map(owner, title="Another seminar")
    services.add_source(argument_map=other, source=source, actor=owner)
    services.add_evidence(
        argument_map=other, actor=owner, source=source, start=31, end=60, claim=make_claim(other), stance="states"
    )
    return source


@pytest.mark.parametrize("who", ADD_SOURCE_STATUS)
def test_editors_and_owners_remove_a_source_after_confirming(client, people, private_map, quoted, who):
    client.force_login(people[who])
    url = reverse("arguments:remove_source", args=[private_map.slug, quoted.slug])
    page = client.get(url)
    assert page.status_code == ADD_SOURCE_STATUS[who]
    if page.status_code == 200:
        text = page.content.decode()
        assert "<strong>3</strong> pieces of evidence" in text and "<strong>2</strong> claims" in text
    response = client.post(url)
    removed = not MapSource.objects.filter(map=private_map, source=quoted).exists()
    assert removed == (ADD_SOURCE_STATUS[who] == 200)
    if removed:
        assert response["Location"] == private_map.get_absolute_url()
        assert not Evidence.objects.filter(map=private_map).exists()
        assert Claim.objects.filter(map=private_map).count() == 2, "the claims stay"
        # The passage quoted only here is gone; the one the other map quotes stays, as does the document.
        assert list(Passage.objects.filter(source=quoted).values_list("start", flat=True)) == [31]
        assert Source.objects.filter(pk=quoted.pk).exists()
        event = Event.objects.filter(map=private_map, verb="unlinked", object_type="mapsource").get()
        assert event.payload["evidence"] == 3
    else:
        assert response.status_code == ADD_SOURCE_STATUS[who]


def test_removing_a_source_the_map_does_not_have_is_404(client, editor, private_map):
    client.force_login(editor)
    elsewhere = make_source("Not in this map", added_by=editor)
    assert client.get(reverse("arguments:remove_source", args=[private_map.slug, elsewhere.slug])).status_code == 404


def test_the_map_page_offers_removal_to_editors_only(client, editor, annotator, private_map):
    client.force_login(editor)
    assert "Remove…" in client.get(private_map.get_absolute_url()).content.decode()
    client.force_login(annotator)
    assert "Remove…" not in client.get(private_map.get_absolute_url()).content.decode()


@pytest.mark.parametrize("who", SETTINGS_STATUS)
def test_only_the_owner_deletes_the_map(client, people, private_map, who):
    client.force_login(people[who])
    url = reverse("arguments:delete", args=[private_map.slug])
    assert client.get(url).status_code == SETTINGS_STATUS[who]
    response = client.post(url, {"confirm_title": private_map.title})
    assert response.status_code == (302 if who == "owner" else SETTINGS_STATUS[who])
    assert ArgumentMap.objects.filter(pk=private_map.pk).exists() == (who != "owner")


def test_deleting_a_map_asks_for_its_title_and_lists_what_goes(client, owner, private_map, quoted):
    client.force_login(owner)
    url = reverse("arguments:delete", args=[private_map.slug])
    assert "Delete this map…" in client.get(reverse("arguments:settings", args=[private_map.slug])).content.decode()
    page = client.get(url).content.decode()
    assert "<strong>2</strong> claims" in page and "<strong>3</strong> pieces of evidence" in page
    assert "<strong>4</strong> members lose access" in page
    wrong = client.post(url, {"confirm_title": "private seminar"})
    assert wrong.status_code == 200 and "Type the map&#x27;s title exactly" in wrong.content.decode()
    assert ArgumentMap.objects.filter(pk=private_map.pk).exists()

    response = client.post(url, {"confirm_title": " Private seminar "})
    assert response["Location"] == reverse("home")
    assert not ArgumentMap.objects.filter(pk=private_map.pk).exists()
    assert not Event.objects.filter(map_id=private_map.pk).exists(), "a map's log goes with it"
    assert not Claim.objects.filter(map_id=private_map.pk).exists()
    assert Source.objects.filter(pk=quoted.pk).exists(), "documents stay in the library"
    assert list(Passage.objects.filter(source=quoted).values_list("start", flat=True)) == [31]
    assert ArgumentMap.objects.filter(title="Another seminar").exists()


EXPECTED_QUERIES = {"arguments:remove_source": 7, "arguments:delete": 10}


@pytest.mark.parametrize("name", EXPECTED_QUERIES)
def test_confirmation_pages_query_counts_do_not_grow_with_the_map(client, owner, name):
    def url_of(argument_map) -> str:
        if name == "arguments:remove_source":
            return reverse(name, args=[argument_map.slug, argument_map.sources.get().slug])
        return reverse(name, args=[argument_map.slug])

    client.force_login(owner)
    queries_at_two_sizes(client, owner, url_of, visibility="private", exactly=EXPECTED_QUERIES[name])
