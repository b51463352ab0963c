"""Members of a map: the list, invitations by name, email or link, roles, removal and leaving."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from arguments import services
from arguments.access import Need, get_map_for
from arguments.forms import InvitationLinkForm, InviteForm, RoleForm
from arguments.models import Invitation, Membership


def _page(request, access, *, invite_form=None, link_form=None, status=200):
    members = Membership.objects.filter(map=access.map).select_related("user").order_by("user__username")
    context = {
        "access": access,
        "map": access.map,
        "members": list(members),
        "invite_form": invite_form or InviteForm(),
        "link_form": link_form or InvitationLinkForm(),
        "invitations": list(Invitation.objects.filter(map=access.map)) if access.can_manage else [],
        "role_choices": RoleForm.base_fields["role"].choices,
    }
    return render(request, "arguments/members.html", context, status=status)


@require_http_methods(["GET"])
def members(request, slug: str):
    """Every member sees who else is in the map; owners also manage it here."""
    access = get_map_for(request.user, slug, Need.READ)
    if not access.can_see_members:
        raise PermissionDenied("Only members of this map see who else is in it.")
    return _page(request, access)


@require_POST
def invite(request, slug: str):
    access = get_map_for(request.user, slug, Need.MANAGE)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _page(request, access, invite_form=form)
    who, role = form.cleaned_data["who"].strip(), form.cleaned_data["role"]
    user = get_user_model().objects.filter(Q(username__iexact=who) | Q(email__iexact=who)).first()
    if user is not None:
        if Membership.objects.filter(map=access.map, user=user).exists():
            form.add_error("who", f"{user.get_username()} is already a member; change their role in the list.")
            return _page(request, access, invite_form=form)
        services.add_member(argument_map=access.map, user=user, role=role, actor=request.user)
        messages.success(request, f"{user.get_username()} joined as {role}.")
        return redirect("arguments:members", slug=slug)
    if "@" not in who:
        form.add_error("who", "Nobody here has that username. To invite someone new, enter their email address.")
        return _page(request, access, invite_form=form)
    try:
        validate_email(who)
    except ValidationError:
        form.add_error("who", f"“{who}” is not an email address we can send to. Check it for typos.")
        return _page(request, access, invite_form=form)
    invitation = services.create_invitation(
        argument_map=access.map,
        role=role,
        actor=request.user,
        email=who,
        expires_at=timezone.now() + timedelta(days=14),
    )
    link = request.build_absolute_uri(invitation.get_absolute_url())
    send_mail(
        subject=f"Join “{access.map.title}” on Warrant",
        message=f"{request.user.get_username()} invites you to work on “{access.map.title}” as {role}.\n\n"
        f"Open this link to join (valid for 14 days):\n{link}\n",
        from_email=None,
        recipient_list=[who],
    )
    messages.success(request, f"Invitation sent to {who}.")
    return redirect("arguments:members", slug=slug)


@require_POST
def create_link(request, slug: str):
    access = get_map_for(request.user, slug, Need.MANAGE)
    form = InvitationLinkForm(request.POST)
    if not form.is_valid():
        return _page(request, access, link_form=form)
    days = form.cleaned_data["expires_in_days"]
    services.create_invitation(
        argument_map=access.map,
        role=form.cleaned_data["role"],
        actor=request.user,
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    messages.success(request, "Invitation link created. Copy it from the list below.")
    return redirect("arguments:members", slug=slug)


@require_POST
def revoke_link(request, slug: str, invitation_id: int):
    access = get_map_for(request.user, slug, Need.MANAGE)
    invitation = get_object_or_404(Invitation, map=access.map, pk=invitation_id)
    services.revoke_invitation(invitation=invitation, actor=request.user)
    messages.success(request, "Invitation revoked: the link no longer works.")
    return redirect("arguments:members", slug=slug)


@require_POST
def change_member(request, slug: str, membership_id: int):
    """Owners change a member's role, or remove them (`remove` in the form)."""
    access = get_map_for(request.user, slug, Need.MANAGE)
    membership = get_object_or_404(Membership.objects.select_related("user", "map"), map=access.map, pk=membership_id)
    try:
        if "remove" in request.POST:
            services.remove_member(membership=membership, actor=request.user)
            messages.success(request, f"{membership.user.get_username()} is no longer a member.")
        else:
            form = RoleForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Choose one of the listed roles.")
            else:
                services.change_role(membership=membership, role=form.cleaned_data["role"], actor=request.user)
                messages.success(request, f"{membership.user.get_username()} is now {form.cleaned_data['role']}.")
    except services.MembershipError as error:
        messages.error(request, str(error))
    if membership.user == request.user and not Membership.objects.filter(pk=membership.pk).exists():
        return redirect("home")
    return redirect("arguments:members", slug=slug)


@require_POST
def leave(request, slug: str):
    access = get_map_for(request.user, slug, Need.READ)
    if not access.can_see_members:  # a reader of a public map who is not a member has nothing to leave
        return redirect(access.map)
    membership = Membership.objects.filter(map=access.map, user=request.user).select_related("user", "map").first()
    if membership is None:
        return redirect(access.map)
    try:
        services.remove_member(membership=membership, actor=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
        return redirect("arguments:members", slug=slug)
    messages.success(request, f"You left “{access.map.title}”.")
    return redirect("home")


@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    """The page an invitation link opens: who invites you to what, and a button to join."""
    invitation = get_object_or_404(Invitation.objects.select_related("map", "created_by"), token=token)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        try:
            services.accept_invitation(invitation=invitation, user=request.user)
        except services.MembershipError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        messages.success(request, f"Welcome to “{invitation.map.title}”.")
        return redirect(invitation.map)
    status = 200 if invitation.state == "active" else 410
    return render(request, "arguments/invitation.html", {"invitation": invitation}, status=status)
