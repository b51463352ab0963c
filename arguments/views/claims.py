"""The claim page: the claim, its relations, its evidence, its discussion and its history."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from arguments import services
from arguments.access import MapAccess, Need, get_map_for
from arguments.forms import ClaimEditForm, CommentForm, RelationForm, ResponseForm
from arguments.markdown import render_markdown
from arguments.models import Claim, Comment, Event, Evidence, Relation
from arguments.outline import MapOutline, Node


def _claim_in(access: MapAccess, claim_id: int) -> Claim:
    return get_object_or_404(Claim.objects.select_related("created_by"), map=access.map, pk=claim_id)


def _discussion(claim: Claim) -> list[dict]:
    """Comments as a flat list in thread order, each with its depth, rendered once here."""
    comments = list(Comment.objects.filter(claim=claim).select_related("author").order_by("created", "id"))
    replies: dict[int | None, list[Comment]] = {}
    for comment in comments:
        replies.setdefault(comment.parent_id, []).append(comment)
    ordered: list[dict] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for comment in replies.get(parent_id, []):
            ordered.append({"comment": comment, "depth": min(depth, 4), "html": render_markdown(comment.body)})
            walk(comment.pk, depth + 1)

    walk(None, 0)
    return ordered


def _history(claim: Claim) -> list[Event]:
    """Events about this claim: its own edits, and evidence, relations and comments that touch it."""
    touches = (
        Q(object_type="claim", object_id=claim.pk)
        | Q(object_type__in=["evidence", "comment"], payload__claim=claim.pk)
        | Q(object_type="relation", payload__from=claim.pk)
        | Q(object_type="relation", payload__to=claim.pk)
    )
    return list(Event.objects.filter(map=claim.map_id).filter(touches).select_related("actor").order_by("-id")[:50])


def _page(request, access: MapAccess, claim: Claim, *, comment_form=None, edit_form=None, conflict=None):
    relations = Relation.objects.filter(map=access.map).filter(Q(from_claim=claim) | Q(to_claim=claim))
    relations = list(relations.select_related("from_claim", "to_claim"))
    evidence = list(
        Evidence.objects.filter(claim=claim)
        .select_related("passage__source", "created_by")
        .defer("passage__source__text", "passage__source__original")
        .order_by("stance", "passage__source_id", "passage__start")
    )
    discussion = _discussion(claim)
    node = MapOutline(access.map).node(claim.pk)
    base = access.map.get_absolute_url()
    context = {
        "access": access,
        "map": access.map,
        "claim": claim,
        "bears_on": [r for r in relations if r.from_claim_id == claim.pk],
        "supporters": [r for r in relations if r.to_claim_id == claim.pk and r.kind == "supports"],
        "objectors": [r for r in relations if r.to_claim_id == claim.pk and r.kind == "opposes"],
        "evidence": evidence,
        "discussion": discussion,
        "history": _history(claim),
        "assessment": node.assessment,
        "node": node,
        "claim_prefix": f"{base}claims/",
        "comment_form": comment_form or CommentForm(),
        "can_change": access.can_change(claim.created_by_id),
        "can_delete": access.can_delete_claim(claim),
        "edit_form": edit_form,
        "conflict": conflict,
    }
    return render(request, "arguments/claim_detail.html", context)


@require_GET
def claim_detail(request, slug: str, claim_id: int):
    access = get_map_for(request.user, slug, Need.READ)
    return _page(request, access, _claim_in(access, claim_id))


@require_POST
def claim_comment(request, slug: str, claim_id: int):
    """Annotators and above join the discussion; with htmx only the discussion is re-rendered."""
    access = get_map_for(request.user, slug, Need.ANNOTATE)
    claim = _claim_in(access, claim_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = Comment.objects.filter(claim=claim, pk=form.cleaned_data["parent"]).first()
            if parent is None:
                raise Http404("The comment you replied to is gone.")
        comment = services.add_comment(claim=claim, actor=request.user, body=form.cleaned_data["body"], parent=parent)
        if not request.htmx:
            return redirect(reverse("arguments:claim", args=[slug, claim.pk]) + f"#comment-{comment.pk}")
        form = CommentForm()
    if request.htmx:
        context = {"map": access.map, "claim": claim, "access": access, "discussion": _discussion(claim)}
        context["comment_form"] = form
        return render(request, "arguments/claim_detail.html#discussion", context)
    return _page(request, access, claim, comment_form=form)


@require_http_methods(["GET", "POST"])
def claim_edit(request, slug: str, claim_id: int):
    """Change a claim's words; an edit based on an old version is refused and shows the other change."""
    access = get_map_for(request.user, slug, Need.ANNOTATE)
    claim = _claim_in(access, claim_id)
    if not access.can_change(claim.created_by_id):
        raise PermissionDenied("Annotators can change only the claims they wrote.")
    if request.method == "GET":
        form = ClaimEditForm(initial={"text": claim.text, "kind": claim.kind, "version": claim.version})
        return _page(request, access, claim, edit_form=form)
    form = ClaimEditForm(request.POST)
    if not form.is_valid():
        return _page(request, access, claim, edit_form=form)
    data = form.cleaned_data
    try:
        services.update_claim(
            claim=claim, actor=request.user, text=data["text"], kind=data["kind"], expected_version=data["version"]
        )
    except services.EditConflict as conflict:
        # Offer to reapply: the form keeps the user's words but now carries the current version.
        retry = ClaimEditForm(initial={"text": data["text"], "kind": data["kind"], "version": conflict.current.version})
        return _page(request, access, conflict.current, edit_form=retry, conflict=conflict.current)
    messages.success(request, "Claim saved.")
    return redirect("arguments:claim", slug=slug, claim_id=claim.pk)


@require_http_methods(["GET", "POST"])
def claim_respond(request, slug: str, claim_id: int):
    """Add a supporting or opposing claim under `claim`, in place in the outline (GET: the empty
    form, fetched when someone opens "Respond", so the outline does not carry one per claim)."""
    access = get_map_for(request.user, slug, Need.ANNOTATE)
    parent = _claim_in(access, claim_id)
    if request.method == "GET":
        if not request.htmx:
            return redirect(reverse("arguments:claim", args=[slug, parent.pk]) + "#respond-heading")
        context = {"access": access, "map": access.map, "parent": parent, "form": None, "new_node": None}
        return render(request, "arguments/_respond.html", context)
    form = ResponseForm(request.POST)
    context = {"access": access, "map": access.map, "parent": parent, "form": form}
    if form.is_valid():
        claim, relation = services.add_response(
            argument_map=access.map,
            actor=request.user,
            parent=parent,
            text=form.cleaned_data["text"],
            kind=form.cleaned_data["kind"],
        )
        if not request.htmx:
            messages.success(request, "Claim added.")
            return redirect(f"{access.map.get_absolute_url()}?open={parent.pk}#claim-{claim.pk}")
        context.update(form=ResponseForm(), new_node=Node(claim=claim, relation=relation.kind))
        context.update(_prefixes(access))
    elif not request.htmx:
        messages.error(request, "A claim needs some words; nothing was added.")
        return redirect(f"{access.map.get_absolute_url()}#claim-{parent.pk}")
    return render(request, "arguments/_respond.html", context)


def _prefixes(access: MapAccess) -> dict[str, str]:
    base = access.map.get_absolute_url()
    return {"reader_prefix": f"{base}sources/", "claim_prefix": f"{base}claims/"}


@require_http_methods(["GET", "POST"])
def relation_edit(request, slug: str, relation_id: int):
    """Editors re-link a claim: change what it bears on and whether it supports or opposes it."""
    access = get_map_for(request.user, slug, Need.EDIT)
    relation = get_object_or_404(
        Relation.objects.select_related("from_claim", "to_claim"), map=access.map, pk=relation_id
    )
    claims = Claim.objects.filter(map=access.map).exclude(pk=relation.from_claim_id)
    weight = "" if relation.weight is None else str(relation.weight)
    initial = {"kind": relation.kind, "to_claim": relation.to_claim_id, "version": relation.version, "weight": weight}
    form = RelationForm(request.POST or None, claims=claims, initial=initial)
    conflict = None
    if request.method == "POST" and "delete" in request.POST:
        services.delete_relation(relation=relation, actor=request.user)
        messages.success(request, "Link removed; both claims stay in the map.")
        return redirect("arguments:claim", slug=slug, claim_id=relation.from_claim_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_relation(
                relation=relation,
                actor=request.user,
                kind=data["kind"],
                to_claim=data["to_claim"],
                expected_version=data["version"],
                weight=data["weight"],
            )
        except services.EditConflict as error:
            conflict = error.current
            form = RelationForm(
                claims=claims,
                initial={"kind": data["kind"], "to_claim": data["to_claim"].pk, "version": conflict.version},
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Link saved.")
            return redirect("arguments:claim", slug=slug, claim_id=relation.from_claim_id)
    context = {"access": access, "map": access.map, "relation": relation, "form": form, "conflict": conflict}
    return render(request, "arguments/relation_edit.html", context)


class DeleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def _delete_page(request, access: MapAccess, claim: Claim, relations: list[Relation], *, conflict=None):
    """The confirmation: what goes with the claim, counted and named, so nobody deletes blind."""
    evidence = list(
        Evidence.objects.filter(claim=claim)
        .select_related("passage__source")
        .defer("passage__source__text", "passage__source__original")
        .annotate(quotes=Count("passage__evidence"))
        .order_by("passage__source_id", "passage__start")
    )
    context = {
        "access": access,
        "map": access.map,
        "claim": claim,
        "relations": relations,
        "evidence_count": len(evidence),
        # Passages quoted only here are deleted with the claim: name them.
        "lost_passages": [ev.passage for ev in evidence if ev.quotes == 1],
        "comment_count": Comment.objects.filter(claim=claim).count(),
        "form": DeleteForm(initial={"version": claim.version}),
        "conflict": conflict,
    }
    return render(request, "arguments/claim_confirm_delete.html", context)


@require_http_methods(["GET", "POST"])
def claim_delete(request, slug: str, claim_id: int):
    """Ask first, listing what goes with the claim; delete only the version the person saw."""
    access = get_map_for(request.user, slug, Need.ANNOTATE)
    claim = _claim_in(access, claim_id)
    relations = list(
        Relation.objects.filter(map=access.map)
        .filter(Q(from_claim=claim) | Q(to_claim=claim))
        .select_related("from_claim", "to_claim")
    )
    if not access.can_delete_claim(claim):
        raise PermissionDenied(
            "Annotators delete only their own claims, and only while no other claim, evidence or comment "
            "by someone else depends on them. Ask an editor."
        )
    if request.method == "GET":
        return _delete_page(request, access, claim, relations)
    form = DeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The form was incomplete; check what will be deleted and confirm again.")
        return _delete_page(request, access, claim, relations)
    try:
        removed = services.delete_claim(claim=claim, actor=request.user, expected_version=form.cleaned_data["version"])
    except services.EditConflict as conflict:
        return _delete_page(request, access, conflict.current, relations, conflict=conflict.current)
    except Claim.DoesNotExist:
        messages.info(request, "Someone else deleted this claim already.")
        return redirect(access.map)
    messages.success(
        request,
        f"Claim deleted, with {_count(removed['relations'], 'link')}, {_count(removed['evidence'], 'piece')} "
        f"of evidence and {_count(removed['comments'], 'comment')}.",
    )
    return redirect(access.map)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
