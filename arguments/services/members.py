"""Who is in a map: members, their roles, invitations by email or link, leaving."""

import secrets

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from arguments.access import keeps_role
from arguments.models import ArgumentMap, Invitation, Membership, Role, Verb

from .events import record_event


class MembershipError(Exception):
    """A change to the members that would leave the map in a bad state; the message says why."""


@transaction.atomic
def add_member(*, argument_map: ArgumentMap, user, role: str, actor) -> Membership:
    membership, _ = Membership.objects.update_or_create(map=argument_map, user=user, defaults={"role": role})
    record_event(
        argument_map=argument_map,
        actor=actor,
        verb=Verb.JOINED,
        obj=membership,
        payload={"user": user.get_username(), "role": role},
    )
    return membership


@transaction.atomic
def change_role(*, membership: Membership, role: str, actor) -> Membership:
    if membership.role == Role.OWNER and role != Role.OWNER:
        _keep_an_owner(membership)
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record_event(
        argument_map=membership.map,
        actor=actor,
        verb=Verb.UPDATED,
        obj=membership,
        payload={"user": membership.user.get_username(), "role": role, "previous_role": previous},
    )
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, actor) -> None:
    """Remove someone (or, with actor == the member, leave). The last owner cannot go."""
    if membership.role == Role.OWNER:
        _keep_an_owner(membership)
    record_event(
        argument_map=membership.map,
        actor=actor,
        verb=Verb.LEFT,
        obj=membership,
        payload={"user": membership.user.get_username(), "role": membership.role},
    )
    membership.delete()


def _keep_an_owner(membership: Membership) -> None:
    others = Membership.objects.filter(map=membership.map_id, role=Role.OWNER).exclude(pk=membership.pk)
    if not others.select_for_update().exists():
        raise MembershipError("A map needs an owner: make someone else an owner first.")


@transaction.atomic
def create_invitation(*, argument_map: ArgumentMap, role: str, actor, email: str = "", expires_at=None):
    invitation = Invitation.objects.create(
        map=argument_map,
        token=secrets.token_urlsafe(24),
        role=role,
        email=email,
        created_by=actor,
        expires_at=expires_at,
    )
    record_event(
        argument_map=argument_map,
        actor=actor,
        verb=Verb.CREATED,
        obj=invitation,
        payload={"role": role, "email": email, "expires_at": expires_at.isoformat() if expires_at else None},
    )
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation, actor) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_event(argument_map=invitation.map, actor=actor, verb=Verb.DELETED, obj=invitation, payload={})


@transaction.atomic
def accept_invitation(*, invitation, user) -> Membership:
    """Join with the invitation's role; someone already holding a higher role keeps it."""
    current = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if current.state != "active":
        raise MembershipError(f"This invitation has been {current.state}.")
    Invitation.objects.filter(pk=current.pk).update(uses=F("uses") + 1)
    existing = Membership.objects.filter(map=current.map, user=user).first()
    if existing and keeps_role(existing.role, current.role):
        return existing
    return add_member(argument_map=current.map, user=user, role=current.role, actor=user)
