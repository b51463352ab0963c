"""The debate brief: for each thesis, the case for and against, with evidence and expected objections.

Built from a fixed number of queries into plain data, then rendered three ways: the HTML page
(templates/arguments/map_brief.html), Markdown, and PDF (the HTML page printed by WeasyPrint).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from arguments.models import ArgumentMap, Claim, ClaimKind, Relation
from arguments.outline import Quote, quotes_by_claim

QUOTES_PER_ARGUMENT = 2
# States first: a passage asserting the claim is the best evidence a debater can read out.
STANCE_STRENGTH = {"states": 0, "supports": 1, "opposes": 2}
SIDES = {"for": "The case for", "against": "The case against"}


@dataclass
class Argument:
    claim: Claim
    quotes: list[Quote] = field(default_factory=list)
    objections: list["Argument"] = field(default_factory=list)


@dataclass
class ThesisBrief:
    thesis: Claim
    sides: dict[str, list[Argument]]


def build_brief(argument_map: ArgumentMap, strengths: dict[int, float] | None = None) -> list[ThesisBrief]:
    claims = {c.pk: c for c in Claim.objects.filter(map=argument_map)}
    supporters, objectors = defaultdict(list), defaultdict(list)
    for from_id, to_id, kind in Relation.objects.filter(map=argument_map).values_list(
        "from_claim_id", "to_claim_id", "kind"
    ):
        (supporters if kind == "supports" else objectors)[to_id].append(from_id)
    quotes = _quotes(argument_map)
    strengths = strengths or {}

    def ranked(ids: list[int]) -> list[int]:
        # Strongest first; without an evaluation, the better-evidenced argument leads.
        return sorted(ids, key=lambda pk: (-strengths.get(pk, 0.0), -len(quotes.get(pk, [])), pk))

    def argument(pk: int, depth: int) -> Argument:
        arg = Argument(claim=claims[pk], quotes=quotes.get(pk, [])[:QUOTES_PER_ARGUMENT])
        if depth < 2:
            arg.objections = [argument(o, depth + 1) for o in ranked(objectors[pk])]
        return arg

    briefs = []
    for thesis in (c for c in claims.values() if c.kind == ClaimKind.THESIS):
        briefs.append(
            ThesisBrief(
                thesis=thesis,
                sides={
                    "for": [argument(pk, 0) for pk in ranked(supporters[thesis.pk])],
                    "against": [argument(pk, 0) for pk in ranked(objectors[thesis.pk])],
                },
            )
        )
    return briefs


def background_of(argument_map: ArgumentMap) -> list[Argument]:
    """The map's background claims (context, definitions) with their quotes: the brief's own section."""
    claims = list(Claim.objects.filter(map=argument_map, kind=ClaimKind.BACKGROUND).order_by("id"))
    if not claims:
        return []
    quotes = quotes_by_claim(argument_map, [c.pk for c in claims])
    return [Argument(claim=c, quotes=quotes.get(c.pk, [])[:QUOTES_PER_ARGUMENT]) for c in claims]


def _quotes(argument_map: ArgumentMap) -> dict[int, list[Quote]]:
    """Each claim's quotes that speak for it, best first: a debater reads out what backs the claim."""
    quotes = {}
    for claim_id, items in quotes_by_claim(argument_map).items():
        backing = [q for q in items if q.stance != "opposes"]
        quotes[claim_id] = sorted(backing, key=lambda q: (STANCE_STRENGTH[q.stance], len(q.exact)))
    return quotes


def selected_sides(side: str | None) -> list[str]:
    return [side] if side in SIDES else list(SIDES)


# The characters that let user text open an HTML tag or autolink (<), a character reference (& only
# where one starts), emphasis, a link or a code span, or escape our own markup (a backslash) in the brief.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[<]|&(?=#?\w+;)")


def md(text: str) -> str:
    """User text as Markdown that reads as the same text: nothing in it becomes a tag or markup.

    Each special character is backslash-escaped (CommonMark shows the character itself) and line
    breaks become spaces, since each piece of text sits on one line of a list item or quotation.
    Quotes, apostrophes and ampersands in ordinary prose stay as they are.
    """
    return _MARKDOWN_SPECIAL.sub(lambda match: "\\" + match.group(0), " ".join(text.split()))


def to_markdown(argument_map: ArgumentMap, briefs: list[ThesisBrief], side: str | None = None) -> str:
    lines = [f"# Debate brief: {md(argument_map.title)}", "", f"**Motion:** {md(argument_map.question)}", ""]
    for brief in briefs:
        lines += [f"## Thesis: {md(brief.thesis.text)}", ""]
        for key in selected_sides(side):
            lines += [f"### {SIDES[key]}", ""]
            if not brief.sides[key]:
                lines += ["_No arguments on this side yet._", ""]
            for n, arg in enumerate(brief.sides[key], 1):
                lines += [f"{n}. **{md(arg.claim.text)}**"]
                for q in arg.quotes:
                    lines += [f"   > “{md(q.exact)}”", f"   > — {md(q.full_citation)}", ""]
                for obj in arg.objections:
                    lines += [f"   - *Objection to answer:* {md(obj.claim.text)}"]
                    lines += [f"     - *Reply:* {md(reply.claim.text)}" for reply in obj.objections]
                lines += [""]
    background = background_of(argument_map)
    if background:
        lines += ["## Background", ""]
        for arg in background:
            lines += [f"- {md(arg.claim.text)}"]
            lines += [f"  > “{md(q.exact)}” — {md(q.full_citation)}" for q in arg.quotes]
        lines += [""]
    return "\n".join(lines).rstrip() + "\n"


def to_pdf(
    argument_map: ArgumentMap, briefs: list[ThesisBrief], side: str | None = None, base_url: str | None = None
) -> bytes:
    """The brief page as its reader would print it (arguments/exports/brief_pdf.py)."""
    from arguments.exports.brief_pdf import render_pdf

    context = {"map": argument_map, "briefs": briefs, "side": side, "sides": selected_sides(side), "side_labels": SIDES}
    context["background"] = background_of(argument_map)
    return render_pdf(context, base_url)
