"""Owners invite by name, email or link, change roles and remove members; members leave."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arguments import services
from arguments.models import Event, Invitation, Membership

from .factories import make_user

pytestmark = pytest.mark.django_db

MANAGE = {"owner": 302, "editor": 403, "annotator": 403, "viewer": 403, "outsider": 404}


def url(name, argument_map, *args):
    return reverse(f"arguments:{name}", args=[argument_map.slug, *args])


@pytest.mark.parametrize("who", ["owner", "editor", "annotator", "viewer"])
def test_members_see_who_is_in_the_map(client, request, private_map, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(url("members", private_map)).content.decode()
    assert all(name in page for name in ["olga", "eddie", "anna", "vic"])
    assert ("Invite someone" in page) == (who == "owner")


def test_outsiders_get_404_and_public_readers_are_refused_as_by_the_api(client, outsider, private_map, public_map):
    client.force_login(outsider)
    assert client.get(url("members", private_map)).status_code == 404
    response = client.get(url("members", public_map))
    assert response.status_code == 403 and b"Only members of this map" in response.content


@pytest.mark.parametrize("who", MANAGE)
def test_only_owners_invite(client, request, private_map, who):
    newcomer = make_user("nina")
    client.force_login(request.getfixturevalue(who))
    response = client.post(url("invite", private_map), {"who": "nina", "role": "annotator"})
    assert response.status_code == MANAGE[who]
    assert Membership.objects.filter(map=private_map, user=newcomer).exists() == (who == "owner")


def test_inviting_by_email_of_an_existing_user_adds_them(client, owner, private_map):
    user = make_user("nina", email="nina@example.org")
    client.force_login(owner)
    client.post(url("invite", private_map), {"who": "NINA@example.org", "role": "editor"})
    assert Membership.objects.get(map=private_map, user=user).role == "editor"
    assert Event.objects.filter(map=private_map, verb="joined", payload__user="nina").exists()


def test_inviting_a_new_email_sends_a_link_that_works(client, owner, private_map):
    client.force_login(owner)
    client.post(url("invite", private_map), {"who": "new@example.org", "role": "annotator"})
    invitation = Invitation.objects.get(email="new@example.org")
    assert len(mail.outbox) == 1 and invitation.get_absolute_url() in mail.outbox[0].body
    newcomer = make_user("newcomer")
    client.force_login(newcomer)
    assert client.post(invitation.get_absolute_url()).status_code == 302
    assert Membership.objects.get(map=private_map, user=newcomer).role == "annotator"


def test_unknown_username_gets_a_clear_message(client, owner, private_map):
    client.force_login(owner)
    page = client.post(url("invite", private_map), {"who": "ghost", "role": "viewer"}).content.decode()
    assert "Nobody here has that username" in page


def test_a_link_grants_its_role_and_stops_working_once_revoked(client, owner, outsider, private_map):
    client.force_login(owner)
    client.post(url("create_link", private_map), {"role": "viewer", "expires_in_days": 7})
    link = Invitation.objects.get()
    assert link.expires_at > timezone.now() + timedelta(days=6)
    client.force_login(outsider)
    assert client.get(link.get_absolute_url()).status_code == 200
    client.post(link.get_absolute_url())
    assert Membership.objects.get(map=private_map, user=outsider).role == "viewer"

    client.force_login(owner)
    client.post(url("revoke_link", private_map, link.pk))
    late = make_user("late")
    client = Client()  # a browser of their own (the one above still holds others' messages)
    client.force_login(late)
    response = client.get(link.get_absolute_url())
    assert response.status_code == 410 and "has been revoked" in response.content.decode()
    assert private_map.title not in response.content.decode()  # a dead link tells nobody what it was for
    client.post(link.get_absolute_url())
    assert not Membership.objects.filter(user=late).exists()


def test_an_expired_link_is_refused(client, owner, outsider, private_map):
    link = services.create_invitation(
        argument_map=private_map, role="editor", actor=owner, expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(outsider)
    response = client.get(link.get_absolute_url())
    assert response.status_code == 410 and private_map.title not in response.content.decode()
    client.post(link.get_absolute_url())
    assert not Membership.objects.filter(user=outsider).exists()


def test_an_invitation_never_lowers_a_role(client, editor, owner, private_map):
    link = services.create_invitation(argument_map=private_map, role="viewer", actor=owner)
    client.force_login(editor)
    client.post(link.get_absolute_url())
    assert Membership.objects.get(map=private_map, user=editor).role == "editor"


def test_anonymous_visitors_are_asked_to_log_in_before_joining(client, owner, private_map):
    link = services.create_invitation(argument_map=private_map, role="viewer", actor=owner)
    assert "Log in to join" in client.get(link.get_absolute_url()).content.decode()
    assert client.post(link.get_absolute_url())["Location"].startswith(reverse("login"))


def test_owner_changes_roles_and_removes_members(client, owner, viewer, private_map):
    client.force_login(owner)
    membership = Membership.objects.get(map=private_map, user=viewer)
    client.post(url("change_member", private_map, membership.pk), {"role": "editor"})
    assert Membership.objects.get(pk=membership.pk).role == "editor"
    client.post(url("change_member", private_map, membership.pk), {"remove": "1"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert Event.objects.filter(map=private_map, verb="left", payload__user="vic").exists()


def test_the_last_owner_cannot_leave_or_step_down(client, owner, private_map):
    client.force_login(owner)
    mine = Membership.objects.get(map=private_map, user=owner)
    page = client.post(url("change_member", private_map, mine.pk), {"role": "viewer"}, follow=True).content.decode()
    assert "A map needs an owner" in page
    client.post(url("leave", private_map))
    assert Membership.objects.get(pk=mine.pk).role == "owner"


def test_members_leave(client, annotator, private_map):
    client.force_login(annotator)
    assert client.post(url("leave", private_map))["Location"] == reverse("home")
    assert not Membership.objects.filter(map=private_map, user=annotator).exists()
    assert client.get(private_map.get_absolute_url()).status_code == 404


def test_a_malformed_email_is_refused_without_sending(client, owner, private_map, mailoutbox):
    client.force_login(owner)
    response = client.post(url("invite", private_map), {"who": "nina@@example", "role": "viewer"})
    assert response.status_code == 200 and "not an email address we can send to" in response.content.decode()
    assert mailoutbox == [] and not Invitation.objects.exists()


def test_revoking_a_link_and_removing_a_member_ask_first(client, owner, private_map):
    services.create_invitation(argument_map=private_map, role="viewer", actor=owner)
    client.force_login(owner)
    page = client.get(url("members", private_map)).content.decode()
    assert page.count('<details class="confirm"><summary>Revoke…</summary>') == 1
    assert "Yes, revoke" in page and "Yes, remove" in page


def test_anonymous_readers_of_a_public_map_have_nothing_to_leave(client, public_map):
    assert client.post(url("leave", public_map))["Location"] == public_map.get_absolute_url()
