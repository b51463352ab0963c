"""Pages of argument maps. Thin views: access from arguments.access, writes through arguments.services."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from arguments import services
from arguments.access import Need, get_map_for, maps_visible_to
from arguments.activity import KIND_FILTERS, describe, link_for
from arguments.exports.brief import SIDES, background_of, build_brief, selected_sides, to_markdown, to_pdf
from arguments.forms import AddSourceForm, MapForm, MapSettingsForm
from arguments.models import ArgumentMap, Event, Evidence, MapSource, Membership
from arguments.outline import OutlinePage
from arguments.search import search_map
from arguments.views.debate import open_ids, outline_context
from sources.access import readable_sources


@require_GET
def home(request):
    demo = maps_visible_to(request.user).filter(slug="coalitions-of-the-willing").first()
    my_maps = []
    if request.user.is_authenticated:
        my_maps = _annotated(ArgumentMap.objects.filter(memberships__user=request.user)).order_by("-updated")
    return render(request, "home.html", {"demo": demo, "my_maps": my_maps})


@require_GET
def map_list(request):
    maps = _annotated(maps_visible_to(request.user)).order_by("title")
    return render(request, "arguments/map_list.html", {"maps": maps})


def _annotated(maps):
    return maps.annotate(
        claim_count=Count("claims", distinct=True),
        source_count=Count("map_sources", distinct=True),
    )


@login_required
@require_http_methods(["GET", "POST"])
def map_new(request):
    form = MapForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        argument_map = services.create_map(owner=request.user, **form.cleaned_data)
        return redirect(argument_map)
    return render(request, "arguments/map_form.html", {"form": form})


@require_GET
def map_detail(request, slug: str):
    access = get_map_for(request.user, slug, Need.READ)
    argument_map = access.map
    # Both lists are read only when the page's cached parts are missing (map_detail.html): every change
    # to them bumps the map's revision, which keys those parts.
    map_sources = (
        MapSource.objects.filter(map=argument_map).select_related("source").defer("source__text", "source__original")
    )
    # A source's title or citation may change in the library without a change in the map.
    sources_changed = map_sources.aggregate(latest=Max("source__updated"))["latest"]
    members = Membership.objects.none()
    if access.can_see_members:
        members = Membership.objects.filter(map=argument_map).select_related("user").order_by("role", "user__username")
    # "Expand all" asks for every claim open at once (?open=all).
    opened = "all" if request.GET.get("open") == "all" else open_ids(request)
    context = outline_context(access) | {
        "outline": OutlinePage(argument_map, opened, show_all=request.GET.get("all") == "1"),
        "map_sources": map_sources,
        "members": members,
        "sources_changed": sources_changed.isoformat() if sources_changed else "",
        "motion_form": None,
    }
    return render(request, "arguments/map_detail.html", context)


@require_http_methods(["GET", "POST"])
def map_settings(request, slug: str):
    """Owners change the map's title, question, description, visibility and citation style."""
    access = get_map_for(request.user, slug, Need.MANAGE)
    form = MapSettingsForm(request.POST or None, instance=access.map, initial={"version": access.map.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            argument_map = services.update_map(
                argument_map=ArgumentMap.objects.get(pk=access.map.pk),
                actor=request.user,
                title=data["title"],
                question=data["question"],
                description=data["description"],
                visibility=data["visibility"],
                expected_version=data["version"],
                citation_style=data["citation_style"] or None,
            )
        except services.EditConflict as conflict:
            form.add_error(
                None,
                f"Someone else changed these settings while you were editing (now titled “{conflict.current.title}”). "
                "Reload the page to see their version, then make your change again.",
            )
        else:
            messages.success(request, "Map settings saved.")
            return redirect(argument_map)
    return render(request, "arguments/map_settings.html", {"access": access, "map": access.map, "form": form})


@require_http_methods(["GET", "POST"])
def map_add_source(request, slug: str):
    """Editors add a document from the library (or upload one first) to the map."""
    access = get_map_for(request.user, slug, Need.EDIT)
    choices = readable_sources(request.user).for_library().exclude(map_sources__map=access.map)
    form = AddSourceForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        services.add_source(argument_map=access.map, source=source, actor=request.user)
        messages.success(request, f"Added “{source.title}” to the map.")
        return redirect(access.map)
    return render(request, "arguments/map_add_source.html", {"access": access, "map": access.map, "form": form})


@require_GET
def map_search(request, slug: str):
    access = get_map_for(request.user, slug, Need.READ)
    query = request.GET.get("q", "").strip()[:200]
    page = request.GET.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() and len(page) < 6 else 1
    results = search_map(access.map, query, page=page) if query else None
    context = {"access": access, "map": access.map, "query": query, "results": results}
    if request.htmx:
        return render(request, "arguments/map_search.html#results", context)
    return render(request, "arguments/map_search.html", context)


BRIEF_FORMATS = {"html", "markdown", "pdf"}


@require_GET
def map_brief(request, slug: str):
    """The debate brief; ?side=for|against prints one side, ?format=markdown|pdf downloads it."""
    access = get_map_for(request.user, slug, Need.READ)
    side = request.GET.get("side") if request.GET.get("side") in SIDES else None
    output = request.GET.get("format", "html")
    if output not in BRIEF_FORMATS:
        output = "html"
    briefs = build_brief(access.map)
    filename = f"{access.map.slug}-brief{'-' + side if side else ''}"
    if output == "markdown":
        response = HttpResponse(to_markdown(access.map, briefs, side), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.md"'
        return response
    if output == "pdf":
        pdf = to_pdf(access.map, briefs, side, base_url=request.build_absolute_uri())
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    context = {"access": access, "map": access.map, "briefs": briefs, "side": side, "sides": selected_sides(side)}
    context["side_labels"] = SIDES
    context["background"] = background_of(access.map)
    return render(request, "arguments/map_brief.html", context)


ACTIVITY_PAGE = 50


@require_GET
def map_activity(request, slug: str):
    """The map's event log in plain words, newest first, filterable by person and kind."""
    access = get_map_for(request.user, slug, Need.READ)
    events = Event.objects.filter(map=access.map).select_related("actor").order_by("-id")
    who, kind = request.GET.get("who", ""), request.GET.get("kind", "")
    if who:
        events = events.filter(actor__username=who)
    if kind in KIND_FILTERS:
        events = events.filter(object_type=kind)
    before = request.GET.get("before", "")
    if before.isdigit():
        events = events.filter(id__lt=int(before))
    page = list(events[: ACTIVITY_PAGE + 1])
    map_url = access.map.get_absolute_url()
    rows = [{"event": e, "text": describe(e), "url": link_for(e, map_url)} for e in page[:ACTIVITY_PAGE]]
    people = (
        Membership.objects.filter(map=access.map).values_list("user__username", flat=True).order_by("user__username")
    )
    context = {
        "access": access,
        "map": access.map,
        "rows": rows,
        "older": page[ACTIVITY_PAGE - 1].pk if len(page) > ACTIVITY_PAGE else None,
        "who": who,
        "kind": kind,
        "kinds": KIND_FILTERS,
        "people": list(people) if access.can_see_members else [],
    }
    return render(request, "arguments/map_activity.html", context)


@require_http_methods(["GET", "POST"])
def map_remove_source(request, slug: str, source_slug: str):
    """Editors take a document out of the map, after seeing which evidence goes with it."""
    access = get_map_for(request.user, slug, Need.EDIT)
    map_source = get_object_or_404(
        MapSource.objects.select_related("source").defer("source__text", "source__original"),
        map=access.map,
        source__slug=source_slug,
    )
    source = map_source.source
    if request.method == "POST":
        try:
            removed = services.remove_source(argument_map=access.map, source=source, actor=request.user)
        except MapSource.DoesNotExist:
            messages.info(request, "Someone else removed this document already.")
        else:
            n = removed["evidence"]
            messages.success(
                request, f"Removed “{source.title}” from the map, with {n} piece{'' if n == 1 else 's'} of evidence."
            )
        return redirect(access.map)
    evidence = (
        Evidence.objects.filter(map=access.map, passage__source=source)
        .select_related("passage", "claim")
        .order_by("passage__start", "id")
    )
    context = {
        "access": access,
        "map": access.map,
        "source": source,
        "counts": services.source_dependents(argument_map=access.map, source=source),
        "evidence": list(evidence[:SHOWN_EVIDENCE]),
    }
    return render(request, "arguments/source_confirm_delete.html", context)


SHOWN_EVIDENCE = 50


class DeleteMapForm(forms.Form):
    confirm_title = forms.CharField(label="Type the map's title to confirm", max_length=200)


@require_http_methods(["GET", "POST"])
def map_delete(request, slug: str):
    """Owners delete the whole map; they type its title first, having seen what goes with it."""
    access = get_map_for(request.user, slug, Need.MANAGE)
    form = DeleteMapForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_map(
                argument_map=access.map, actor=request.user, confirm_title=form.cleaned_data["confirm_title"]
            )
        except ValidationError as error:
            form.add_error("confirm_title", error.messages)
        except ArgumentMap.DoesNotExist:
            messages.info(request, "This map has already been deleted.")
            return redirect("home")
        else:
            messages.success(request, f"Deleted the map “{access.map.title}”. Its documents stay in the library.")
            return redirect("home")
    context = {"access": access, "map": access.map, "form": form, "counts": services.map_dependents(access.map)}
    return render(request, "arguments/map_confirm_delete.html", context)
