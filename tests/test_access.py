"""The access policy for every role, an outsider and an anonymous visitor, on every page."""

import pytest
from django.http import Http404
from django.urls import reverse

from arguments.access import MapAccess, Need, get_map_for, keeps_role, maps_visible_to
from arguments.models import Membership, Role

pytestmark = pytest.mark.django_db

ROLES = ["owner", "editor", "annotator", "viewer", "outsider", "anonymous"]
ALLOWED = {
    # who: (read, annotate, edit, manage)
    "owner": (True, True, True, True),
    "editor": (True, True, True, False),
    "annotator": (True, True, False, False),
    "viewer": (True, False, False, False),
    "outsider": (False, False, False, False),
    "anonymous": (False, False, False, False),
}


@pytest.fixture
def people(owner, editor, annotator, viewer, outsider):
    from django.contrib.auth.models import AnonymousUser

    return {
        "owner": owner,
        "editor": editor,
        "annotator": annotator,
        "viewer": viewer,
        "outsider": outsider,
        "anonymous": AnonymousUser(),
    }


def access_to(user, argument_map) -> MapAccess:
    """The access a user has, as get_map_for finds it, without its 404 and 403."""
    role = None
    if user.is_authenticated:
        role = Membership.objects.filter(user=user, map=argument_map).values_list("role", flat=True).first()
    return MapAccess(user, argument_map, role)


@pytest.mark.parametrize("who", ROLES)
def test_capabilities_on_a_private_map(people, private_map, who):
    access = access_to(people[who], private_map)
    got = tuple(access.allows(need) for need in (Need.READ, Need.ANNOTATE, Need.EDIT, Need.MANAGE))
    assert got == ALLOWED[who]
    assert access.can_see_members == (who not in ("outsider", "anonymous"))


@pytest.mark.parametrize("who", ROLES)
def test_everyone_reads_a_public_map_but_only_members_write(people, public_map, who):
    access = access_to(people[who], public_map)
    assert access.can_read
    assert access.can_annotate == ALLOWED[who][1]
    assert access.can_see_members == (who not in ("outsider", "anonymous"))


@pytest.mark.parametrize("who", ROLES)
def test_get_map_for_finds_the_role_in_one_query(people, private_map, who, django_assert_num_queries):
    user = people[who]
    if not ALLOWED[who][0]:
        with pytest.raises(Http404):
            get_map_for(user, private_map.slug)
        return
    with django_assert_num_queries(1):
        access = get_map_for(user, private_map.slug)
    assert access.role == who


def test_an_invitation_never_lowers_a_role():
    assert keeps_role(Role.EDITOR, Role.VIEWER) and keeps_role(Role.EDITOR, Role.EDITOR)
    assert not keeps_role(Role.VIEWER, Role.ANNOTATOR)


@pytest.mark.parametrize("who", ROLES)
def test_maps_visible_to_lists_each_map_once(people, private_map, public_map, who):
    visible = list(maps_visible_to(people[who]))
    assert public_map in visible and (private_map in visible) == ALLOWED[who][0]
    assert len(visible) == len(set(visible))


def map_pages(argument_map):
    source = argument_map.sources.first()
    pages = [reverse("arguments:map", args=[argument_map.slug])]
    if source:
        pages.append(reverse("arguments:source", args=[argument_map.slug, source.slug]))
    return pages


@pytest.mark.parametrize("who", ROLES)
def test_private_map_pages_answer_members_and_hide_from_others(client, people, private_map, who):
    if who != "anonymous":
        client.force_login(people[who])
    for url in map_pages(private_map):
        response = client.get(url)
        assert response.status_code == (200 if ALLOWED[who][0] else 404), url
        if response.status_code == 404:
            assert private_map.title.encode() not in response.content


@pytest.mark.parametrize("who", ROLES)
def test_map_list_shows_private_maps_to_members_only(client, people, private_map, public_map, who):
    if who != "anonymous":
        client.force_login(people[who])
    content = client.get(reverse("arguments:list")).content.decode()
    assert public_map.title in content
    assert (private_map.title in content) == ALLOWED[who][0]


@pytest.mark.parametrize("who", ROLES)
def test_source_library_and_text_follow_the_maps_that_use_them(client, people, private_map, who):
    source = private_map.sources.get()
    if who != "anonymous":
        client.force_login(people[who])
    library = client.get(reverse("sources:library")).content.decode()
    assert (source.title in library) == ALLOWED[who][0]
    detail = client.get(source.get_absolute_url())
    assert detail.status_code == (200 if ALLOWED[who][0] else 404)


def test_a_source_in_a_public_map_is_readable_by_anyone(client, public_map, owner):
    from arguments import services

    from .factories import make_source

    source = make_source("Openly cited", added_by=owner)
    services.add_source(argument_map=public_map, source=source, actor=owner)
    assert client.get(source.get_absolute_url()).status_code == 200


def test_an_uploader_reads_their_own_unlinked_source(client, outsider):
    from .factories import make_source

    source = make_source("Only mine", added_by=outsider)
    assert client.get(source.get_absolute_url()).status_code == 404
    client.force_login(outsider)
    assert client.get(source.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("url_name", ["arguments:new", "sources:upload"])
def test_pages_that_create_things_ask_anonymous_visitors_to_log_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url_name", ["arguments:list", "sources:library", "home"])
def test_read_only_pages_refuse_posts(client, url_name):
    assert client.post(reverse(url_name)).status_code == 405
