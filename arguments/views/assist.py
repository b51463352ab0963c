"""Warrant suggests, in the pages: evidence for a claim from the map's sources, and similar claims while typing.

The suggestions come from arguments/assist; these views only show them and let a person act on them.
Nothing here decides a stance: a suggested passage is linked as *states*, *supports* or *opposes* only
when someone clicks one of the three, through the same service, permission and event as annotating
in the reader. Both are loaded on demand (htmx), so the claim page and the forms stay fast; the first
search for evidence in a map embeds its sources (seconds per source), later ones take milliseconds.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_POST

from arguments import services
from arguments.access import MapAccess, Need, get_map_for
from arguments.assist import (
    EvidenceSuggestion,
    LinkSuggestion,
    decide_link,
    similar_claims,
    suggest_evidence,
    suggest_links,
)
from arguments.models import Claim, ClaimKind, Evidence, LinkDecision, Stance
from sources.models import Source

SUGGESTIONS = 8
# Characters of the source shown on each side of a suggested sentence, cut at a word.
CONTEXT = 160
# A claim being typed is compared once it has this many words: fewer match everything a little.
MIN_WORDS = 3
MAX_TEXT = 2000  # a claim's longest text (ClaimEditForm, the respond form)
PLACES = ("respond", "edit", "reader")
LINKS = 20
BIGGEST = 2**62  # no id or offset is larger; a larger number would overflow the database's integers


def closeness(similarity: float) -> str:
    """The cosine of claim and sentence in words. The list is ranked by meaning and shared words
    together (arguments/assist/evidence.py), so a "weak match" can still come high when it shares the
    claim's rarer words. On the demo map the quotes linked to a claim mostly lie between 0.25 and 0.6."""
    if similarity >= 0.55:
        return "close match"
    if similarity >= 0.4:
        return "related"
    if similarity >= 0.25:
        return "loosely related"
    return "weak match"


@dataclass
class Shown:
    """A suggestion as the page shows it: the sentence with a little of the text around it."""

    suggestion: EvidenceSuggestion
    source: Source
    before: str
    after: str

    @property
    def closeness(self) -> str:
        return closeness(self.suggestion.similarity)

    @property
    def percent(self) -> int:
        return max(0, round(self.suggestion.similarity * 100))


def _around(text: str, start: int, end: int) -> tuple[str, str]:
    """Up to CONTEXT characters of the same paragraph before and after [start, end), cut at whitespace,
    with "…" where cut."""
    before = text[max(0, start - CONTEXT) : start]
    cut = "\n" in before or start <= CONTEXT
    before = before[before.rfind("\n") + 1 :]
    if not cut and " " in before:
        before = "…" + before[before.index(" ") + 1 :]
    after = text[end : end + CONTEXT]
    cut = "\n" in after or end + CONTEXT >= len(text)
    after = after.split("\n", 1)[0]
    if not cut and " " in after:
        after = after[: after.rindex(" ")] + "…"
    return before, after


def _shown(suggestions: list[EvidenceSuggestion]) -> list[Shown]:
    """One query for the texts of the sources the suggestions come from."""
    ids = {s.source_id for s in suggestions}
    sources = {s.pk: s for s in Source.objects.filter(pk__in=ids).defer("original")} if ids else {}
    shown = []
    for s in suggestions:
        source = sources[s.source_id]
        shown.append(Shown(s, source, *_around(source.text, s.start, s.end)))
    return shown


def _claim_in(access: MapAccess, claim_id: int) -> Claim:
    return get_object_or_404(Claim, map=access.map, pk=claim_id)


def _evidence(claim: Claim) -> list[Evidence]:
    """The claim page's evidence list (arguments/views/claims.py), re-rendered after an accept."""
    return list(
        Evidence.objects.filter(claim=claim)
        .select_related("passage__source", "created_by")
        .defer("passage__source__text", "passage__source__original")
        .order_by("stance", "passage__source_id", "passage__start")
    )


@require_GET
def evidence_suggestions(request, slug: str, claim_id: int):
    """The best passages of the map's sources for a claim, not yet linked to it (htmx: the list alone)."""
    access = get_map_for(request.user, slug, Need.ANNOTATE)
    claim = _claim_in(access, claim_id)
    context = {"access": access, "map": access.map, "claim": claim}
    if claim.kind == ClaimKind.BACKGROUND:
        context["suggestions"] = []
    else:
        context["suggestions"] = _shown(suggest_evidence(access.map, claim, limit=SUGGESTIONS))
    template = "arguments/_evidence_suggestions.html" if request.htmx else "arguments/evidence_suggestions.html"
    return render(request, template, context)


class AcceptForm(forms.Form):
    source = forms.IntegerField(min_value=1, max_value=BIGGEST)
    start = forms.IntegerField(min_value=0, max_value=BIGGEST)
    end = forms.IntegerField(min_value=1, max_value=BIGGEST)
    exact = forms.CharField(strip=False, max_length=20_000)
    stance = forms.ChoiceField(choices=Stance.choices)

    def clean(self):
        data = super().clean()
        if "start" in data and "end" in data and data["start"] >= data["end"]:
            raise ValidationError("The passage is empty.")
        return data


@require_POST
def accept_suggestion(request, slug: str, claim_id: int):
    """Link a suggested passage to the claim with the stance the person chose: the reader's service,
    permission and event. The words must still be where they were suggested (a text edited meanwhile
    is refused with a message, never quoted at the wrong place)."""
    access = get_map_for(request.user, slug, Need.ANNOTATE)
    claim = _claim_in(access, claim_id)
    form = AcceptForm(request.POST)
    context = {"access": access, "map": access.map, "claim": claim}
    if not form.is_valid():
        context["problem"] = "That suggestion could not be read; find evidence again."
        return render(request, "arguments/_suggestion_done.html", context, status=400)
    data = form.cleaned_data
    source = Source.objects.filter(pk=data["source"], map_sources__map=access.map).defer("original").first()
    if source is None:
        raise Http404("That source is not in this map.")
    if source.text[data["start"] : data["end"]] != data["exact"]:
        context["problem"] = "The source's text has changed since this was suggested; find evidence again."
        return render(request, "arguments/_suggestion_done.html", context, status=409)
    try:
        with transaction.atomic():
            evidence = services.add_evidence(
                argument_map=access.map,
                actor=request.user,
                source=source,
                start=data["start"],
                end=data["end"],
                claim=claim,
                stance=data["stance"],
            )
    except ValidationError as error:
        context["problem"] = "; ".join(error.messages)
        return render(request, "arguments/_suggestion_done.html", context, status=400)
    context |= {"quote": Truncator(evidence.passage.exact).chars(80), "source": source}
    context["said"] = _said(evidence, context["quote"])
    if request.htmx:
        context["evidence"] = _evidence(claim)
        context["linked"] = evidence
        return render(request, "arguments/_suggestion_done.html", context)
    messages.success(request, _said(evidence, context["quote"]))
    return redirect(reverse("arguments:claim", args=[slug, claim.pk]) + "#evidence-heading")


def _said(evidence: Evidence, quote: str) -> str:
    if evidence.already_linked:
        return f"“{quote}” already {evidence.stance} this claim; nothing new was added."
    return f"Evidence added: “{quote}” {evidence.stance} this claim."


@require_GET
def similar(request, slug: str):
    """The map's claims closest in meaning to the words being typed (?text=, or the annotate dialog's
    ?claim_text=), for a form: `for` is respond, edit or reader, `exclude` the claim being edited."""
    access = get_map_for(request.user, slug, Need.ANNOTATE)
    text = (request.GET.get("text") or request.GET.get("claim_text") or "").strip()[:MAX_TEXT]
    place = request.GET.get("for", "respond")
    place = place if place in PLACES else "respond"
    exclude = request.GET.get("exclude", "")
    excluded = Claim(pk=int(exclude)) if exclude.isascii() and exclude.isdigit() and len(exclude) <= 18 else None
    found = similar_claims(access.map, text, exclude=excluded) if len(text.split()) >= MIN_WORDS else []
    context = {"access": access, "map": access.map, "found": found, "place": place}
    if request.htmx:
        return render(request, "arguments/_similar_claims.html", context)
    context |= {"text": text, "too_short": len(text.split()) < MIN_WORDS}
    return render(request, "arguments/similar_claims.html", context)


# ---- suggested links between claims of different documents (for editors) -----------------------


def said_closeness(similarity: float) -> str:
    """Two claims' cosine in words (links.py lists pairs from 0.45; distinct demo claims reach 0.67)."""
    if similarity >= 0.7:
        return "very close in meaning"
    if similarity >= 0.55:
        return "close in meaning"
    return "somewhat related"


@dataclass
class ShownLink:
    suggestion: LinkSuggestion
    sources: list[Source]
    other_sources: list[Source]

    @property
    def closeness(self) -> str:
        return said_closeness(self.suggestion.similarity)


@require_GET
def link_suggestions(request, slug: str):
    """Pairs of claims grounded in different documents that may bear on each other, most similar first;
    an editor links them as pro or con, rejects them (remembered: not suggested again) or leaves them."""
    access = get_map_for(request.user, slug, Need.EDIT)
    found = suggest_links(access.map, limit=LINKS)
    ids = {pk for s in found for pk in (*s.sources, *s.other_sources)}
    sources = {s.pk: s for s in Source.objects.filter(pk__in=ids).defer("text", "original")} if ids else {}
    shown = [ShownLink(s, [sources[pk] for pk in s.sources], [sources[pk] for pk in s.other_sources]) for s in found]
    context = {"access": access, "map": access.map, "suggestions": shown}
    return render(request, "arguments/link_suggestions.html", context)


class DecideForm(forms.Form):
    claim = forms.IntegerField(min_value=1, max_value=BIGGEST)
    other = forms.IntegerField(min_value=1, max_value=BIGGEST)
    direction = forms.ChoiceField(choices=[("forward", "forward"), ("back", "back")], required=False)
    decision = forms.ChoiceField(choices=[("supports", "supports"), ("opposes", "opposes"), ("rejected", "rejected")])


@require_POST
def decide_link_suggestion(request, slug: str):
    """Accept a suggested pair as a relation of the kind the editor chose (pro or con, in the direction
    chosen), or reject it; either way the pair is not suggested again. One transaction."""
    access = get_map_for(request.user, slug, Need.EDIT)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _decided(request, access, problem="That suggestion could not be read; reload the page.")
    data = form.cleaned_data
    claims = {c.pk: c for c in Claim.objects.filter(map=access.map, pk__in=[data["claim"], data["other"]])}
    if len(claims) != 2:
        raise Http404("One of these claims is no longer in the map.")
    claim, other = claims[data["claim"]], claims[data["other"]]
    decision = data["decision"]
    try:
        with transaction.atomic():
            if decision == LinkDecision.REJECTED:
                decide_link(argument_map=access.map, claim=claim, other=other, decision=decision, actor=request.user)
                said = "Not linked; this pair will not be suggested again."
            else:
                source, target = (other, claim) if data["direction"] == "back" else (claim, other)
                services.create_relation(
                    argument_map=access.map, actor=request.user, from_claim=source, to_claim=target, kind=decision
                )
                decide_link(
                    argument_map=access.map,
                    claim=claim,
                    other=other,
                    decision=LinkDecision.ACCEPTED,
                    actor=request.user,
                )
                said = f"Linked: “{Truncator(source.text).chars(70)}” {decision} “{Truncator(target.text).chars(70)}”."
    except IntegrityError:
        return _decided(request, access, problem="These claims are already linked.")
    except ValidationError as error:
        return _decided(request, access, problem="; ".join(error.messages))
    return _decided(request, access, said=said)


def _decided(request, access: MapAccess, *, said: str = "", problem: str = ""):
    if request.htmx:
        context = {"map": access.map, "said": said, "problem": problem}
        return render(request, "arguments/_link_decided.html", context)
    (messages.error if problem else messages.success)(request, problem or said)
    return redirect("arguments:link_suggestions", slug=access.map.slug)
