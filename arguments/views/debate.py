"""Shaping a debate from the map page: the motion, the theses, where each claim stands, and the
outline's deeper levels and focus view. Thin views: access from arguments.access, writes through
arguments.services, structure and evaluation from arguments.outline."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from arguments import services
from arguments.access import MapAccess, Need, get_map_for
from arguments.forms import MotionForm, PlaceForm, ThesisForm
from arguments.models import ArgumentMap, Claim, ClaimKind
from arguments.outline import MapOutline, quotes_by_claim


def open_ids(request) -> set[int]:
    """Claims a reader has opened, sent back by the outline's live refresh (?open=1,2,3)."""
    raw = request.GET.get("open", "")
    return {int(part) for part in raw.split(",")[:500] if part.isascii() and part.isdigit() and len(part) < 12}


def outline_context(access: MapAccess) -> dict:
    base = access.map.get_absolute_url()
    return {
        "access": access,
        "map": access.map,
        "reader_prefix": f"{base}sources/",
        "claim_prefix": f"{base}claims/",
    }


def _claim_in(access: MapAccess, claim_id: int) -> Claim:
    return get_object_or_404(Claim, map=access.map, pk=claim_id)


@require_GET
def outline_children(request, slug: str, claim_id: int):
    """One level of the outline, fetched when a reader opens a claim."""
    access = get_map_for(request.user, slug, Need.READ)
    if not request.htmx:  # a plain visit (no JavaScript, a bookmark) gets the outline with the claim open
        return redirect(f"{access.map.get_absolute_url()}?open={claim_id}#claim-{claim_id}")
    outline = MapOutline(access.map, explain=False)
    if claim_id not in outline.claims:
        raise Http404("That claim is not in this map.")
    context = outline_context(access) | {"nodes": outline.children(claim_id, open_ids(request))}
    return render(request, "arguments/_outline_children.html", context)


@require_GET
def claim_quotes(request, slug: str, claim_id: int):
    """A claim's quotes, fetched when a reader asks for them."""
    access = get_map_for(request.user, slug, Need.READ)
    claim = _claim_in(access, claim_id)
    if not request.htmx:  # a plain visit gets the claim page, which lists the evidence
        return redirect(f"{access.map.get_absolute_url()}claims/{claim.pk}/#evidence-heading")
    context = outline_context(access) | {"claim": claim, "quotes": quotes_by_claim(access.map, [claim.pk])[claim.pk]}
    return render(request, "arguments/_quotes.html", context)


@require_GET
def claim_focus(request, slug: str, claim_id: int):
    """One claim at a time: what it bears on above, its pros and cons side by side below."""
    access = get_map_for(request.user, slug, Need.READ)
    outline = MapOutline(access.map)
    if claim_id not in outline.claims:
        raise Http404("That claim is not in this map.")
    focus = outline.node(claim_id)
    responses = [outline.node(child, kind) for child, kind in outline.children_of.get(claim_id, [])]
    context = outline_context(access) | {
        "focus": focus,
        "parents": outline.parents(claim_id),
        "pros": [n for n in responses if n.relation == "supports"],
        "cons": [n for n in responses if n.relation == "opposes"],
        "quotes": quotes_by_claim(access.map, [claim_id]).get(claim_id, []),
    }
    return render(request, "arguments/claim_focus.html", context)


@require_http_methods(["GET", "POST"])
def map_motion(request, slug: str):
    """The motion, edited in place on the map page (owners, as in the settings)."""
    access = get_map_for(request.user, slug, Need.MANAGE)
    argument_map = access.map
    if request.htmx and request.method == "GET" and request.GET.get("cancel"):
        return render(request, "arguments/map_detail.html#motion", {"access": access, "map": argument_map})
    form = MotionForm(
        request.POST or None, initial={"question": argument_map.question, "version": argument_map.version}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            current = ArgumentMap.objects.get(pk=argument_map.pk)
            services.update_map(
                argument_map=current,
                actor=request.user,
                title=current.title,
                question=data["question"].strip(),
                description=current.description,
                visibility=current.visibility,
                expected_version=data["version"],
            )
        except services.EditConflict as conflict:
            form = MotionForm({"question": data["question"], "version": conflict.current.version})
            form.is_valid()
            form.add_error(
                None,
                f"Someone else changed the map meanwhile; the motion now reads “{conflict.current.question}”. "
                "Save again to put yours in its place.",
            )
        else:
            if request.htmx:
                argument_map.refresh_from_db()
                return render(request, "arguments/map_detail.html#motion", {"access": access, "map": argument_map})
            messages.success(request, "Motion saved.")
            return redirect(argument_map)
    context = {"access": access, "map": argument_map, "motion_form": form}
    if request.htmx:
        return render(request, "arguments/map_detail.html#motion", context)
    return render(request, "arguments/map_motion.html", context)


@require_POST
def add_thesis(request, slug: str):
    """A new position on the motion, one button from the map page."""
    access = get_map_for(request.user, slug, Need.ANNOTATE)
    form = ThesisForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["text"]))
        return redirect(f"{access.map.get_absolute_url()}#add-thesis")
    claim = services.create_claim(
        argument_map=access.map, actor=request.user, text=form.cleaned_data["text"], kind=ClaimKind.THESIS
    )
    messages.success(request, "Thesis added. Respond to it with pros and cons, or attach claims you already have.")
    return redirect(f"{access.map.get_absolute_url()}#claim-{claim.pk}")


@require_http_methods(["GET", "POST"])
def claim_place(request, slug: str, claim_id: int):
    """Attach a claim under another one as a pro or a con; its current links can be moved or removed.

    Linking two claims is an annotator's act (as in the API); moving or removing a link is an
    editor's (the re-link page)."""
    access = get_map_for(request.user, slug, Need.ANNOTATE)
    claim = _claim_in(access, claim_id)
    if claim.kind == ClaimKind.BACKGROUND:
        messages.info(request, "Background claims set the scene and are not placed under others.")
        return redirect("arguments:claim", slug=slug, claim_id=claim.pk)
    outline = MapOutline(access.map, explain=False)
    already = {to_id for to_id, _, _ in outline.parents_of.get(claim.pk, [])}
    targets = (
        Claim.objects.filter(map=access.map)
        .exclude(pk=claim.pk)
        .exclude(pk__in=already)
        .exclude(kind=ClaimKind.BACKGROUND)
        .order_by("-kind", "id")  # theses first
    )
    initial = {"to_claim": request.GET.get("to")} if request.GET.get("to", "").isdigit() else {}
    form = PlaceForm(request.POST or None, claims=targets, initial=initial)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["to_claim"]
        try:
            services.create_relation(
                argument_map=access.map,
                actor=request.user,
                from_claim=claim,
                to_claim=target,
                kind=form.cleaned_data["kind"],
            )
        except (IntegrityError, ValidationError):
            form.add_error(None, "These two claims are already linked.")
        else:
            word = "a pro" if form.cleaned_data["kind"] == "supports" else "a con"
            messages.success(request, f"Placed under “{target.text[:80]}” as {word}.")
            return redirect(f"{access.map.get_absolute_url()}?open={target.pk}#claim-{claim.pk}")
    context = outline_context(access) | {
        "claim": claim,
        "node": outline.node(claim.pk),
        "parents": outline.parents(claim.pk),
        "form": form,
        "targets": [outline.node(t.pk) for t in targets],
    }
    return render(request, "arguments/claim_place.html", context)
