"""Annotators add pro and con claims in place in the outline; editors re-link claims."""

import re

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Claim, Event, Relation

from .factories import make_claim

pytestmark = pytest.mark.django_db

RESPOND = {"owner": 302, "editor": 302, "annotator": 302, "viewer": 403, "outsider": 404}
RELINK = {"owner": 302, "editor": 302, "annotator": 403, "viewer": 403, "outsider": 404}


@pytest.fixture
def thesis(private_map, owner):
    return make_claim(private_map, "States should use coalitions.", kind="thesis", actor=owner)


def respond_url(claim):
    return reverse("arguments:claim_respond", args=[claim.map.slug, claim.pk])


@pytest.mark.parametrize("who", RESPOND)
def test_who_may_respond_to_a_claim(client, request, thesis, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(respond_url(thesis), {"text": "They are fast.", "kind": "supports"})
    assert response.status_code == RESPOND[who]
    added = Relation.objects.filter(to_claim=thesis, kind="supports", from_claim__text="They are fast.").exists()
    assert added == (RESPOND[who] == 302)


def test_htmx_response_appends_the_new_claim_and_resets_the_form(client, annotator, thesis):
    client.force_login(annotator)
    events = Event.objects.count()
    response = client.post(
        respond_url(thesis), {"text": "They lack accountability.", "kind": "opposes"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    claim = Claim.objects.get(text="They lack accountability.")
    assert f'<ul hx-swap-oob="beforeend:#children-{thesis.pk}">' in html
    assert f'id="claim-{claim.pk}"' in html and re.search(r'<span class="rel opposes"[^>]*>Con</span>', html)
    assert f'id="respond-{thesis.pk}"' in html and "They lack accountability.</textarea>" not in html
    assert Event.objects.count() - events == 2  # the claim and its link, in one transaction
    # The outline shows it under the thesis after a reload too.
    page = client.get(thesis.map.get_absolute_url()).content.decode()
    assert page.index("States should use coalitions.") < page.index("They lack accountability.")


def test_an_empty_response_is_refused_beside_the_field(client, annotator, thesis):
    client.force_login(annotator)
    response = client.post(respond_url(thesis), {"text": "  ", "kind": "supports"}, HTTP_HX_REQUEST="true")
    assert "A claim needs some words." in response.content.decode()
    assert "hx-swap-oob" not in response.content.decode()
    assert Claim.objects.count() == 1


@pytest.mark.parametrize("who", RELINK)
def test_who_may_relink(client, request, private_map, owner, thesis, who):
    other = make_claim(private_map, "Another thesis.", kind="thesis", actor=owner)
    child, relation = services.add_response(
        argument_map=private_map, actor=owner, parent=thesis, text="They are fast.", kind="supports"
    )
    client.force_login(request.getfixturevalue(who))
    url = reverse("arguments:relation_edit", args=[private_map.slug, relation.pk])
    response = client.post(url, {"kind": "opposes", "to_claim": other.pk, "version": 1})
    assert response.status_code == RELINK[who]
    relation.refresh_from_db()
    assert (relation.to_claim_id == other.pk and relation.kind == "opposes") == (RELINK[who] == 302)


def test_relinking_from_a_stale_form_is_refused(client, editor, owner, private_map, thesis):
    other = make_claim(private_map, "Another.", actor=owner)
    _, relation = services.add_response(
        argument_map=private_map, actor=owner, parent=thesis, text="Fast.", kind="supports"
    )
    services.update_relation(relation=relation, actor=owner, kind="opposes", to_claim=thesis, expected_version=1)
    client.force_login(editor)
    url = reverse("arguments:relation_edit", args=[private_map.slug, relation.pk])
    response = client.post(url, {"kind": "supports", "to_claim": other.pk, "version": 1})
    assert "Someone else changed this link" in response.content.decode()
    relation.refresh_from_db()
    assert (relation.kind, relation.to_claim_id, relation.version) == ("opposes", thesis.pk, 2)


def test_removing_a_link_keeps_both_claims_and_logs_it(client, editor, owner, private_map, thesis):
    child, relation = services.add_response(
        argument_map=private_map, actor=owner, parent=thesis, text="Fast.", kind="supports"
    )
    client.force_login(editor)
    url = reverse("arguments:relation_edit", args=[private_map.slug, relation.pk])
    assert client.post(url, {"delete": "1"}).status_code == 302
    assert not Relation.objects.exists()
    assert Claim.objects.filter(pk__in=[child.pk, thesis.pk]).count() == 2
    assert Event.objects.filter(verb="unlinked", object_type="relation").exists()


def test_a_claim_cannot_be_linked_to_itself(client, editor, owner, private_map, thesis):
    child, relation = services.add_response(
        argument_map=private_map, actor=owner, parent=thesis, text="Fast.", kind="supports"
    )
    client.force_login(editor)
    url = reverse("arguments:relation_edit", args=[private_map.slug, relation.pk])
    response = client.post(url, {"kind": "supports", "to_claim": child.pk, "version": 1})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
