"""Owners manage settings, editors add sources; too-low roles get 403 and outsiders 404."""

import pytest
from django.urls import reverse

from arguments.models import ArgumentMap, Event, MapSource

from .factories import make_source

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
