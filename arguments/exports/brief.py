"""The debate brief: for each thesis, the case for and against, with evidence and expected objections.

Built from a fixed number of queries into plain data, then rendered three ways: the HTML page
(templates/arguments/map_brief.html), Markdown, and PDF (fpdf2).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

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
    return "\n".join(lines).rstrip() + "\n"


FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def to_pdf(argument_map: ArgumentMap, briefs: list[ThesisBrief], side: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(f"Debate brief: {argument_map.title}")
    family, clean = _pdf_font(pdf)
    pdf.add_page()

    def write(text: str, size: float = 10.5, style: str = "", indent: float = 0, gap: float = 1.5) -> None:
        pdf.set_font(family, style, size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(pdf.epw - indent, size * 0.5, clean(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    write(f"Debate brief: {argument_map.title}", 17, "B", gap=2)
    write(f"Motion: {argument_map.question}", 11.5, "I", gap=4)
    for brief in briefs:
        write(f"Thesis: {brief.thesis.text}", 13.5, "B", gap=2)
        for key in selected_sides(side):
            write(SIDES[key], 12, "B", gap=1.5)
            for n, arg in enumerate(brief.sides[key], 1):
                write(f"{n}. {arg.claim.text}", 11, "B", indent=2)
                for q in arg.quotes:
                    write(f"“{q.exact}”", 10, "I", indent=8, gap=0.5)
                    write(q.full_citation, 8.5, indent=8, gap=1.5)
                for obj in arg.objections:
                    write(f"Objection to answer: {obj.claim.text}", 9.5, indent=8, gap=0.5)
                    for reply in obj.objections:
                        write(f"Reply: {reply.claim.text}", 9.5, indent=14, gap=0.5)
                pdf.ln(1.5)
    return bytes(pdf.output())


def _pdf_font(pdf):
    """DejaVu Serif when installed (full Unicode); otherwise the built-in Times with text folded to Latin-1."""
    regular = FONT_DIR / "DejaVuSerif.ttf"
    if regular.exists():
        styles = {"": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf", "I": "DejaVuSerif-Italic.ttf"}
        for style, name in styles.items():
            path = FONT_DIR / name
            pdf.add_font("Warrant", style, str(path if path.exists() else regular))
        return "Warrant", lambda text: text
    folding = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-", "…": "..."})
    return "Times", lambda text: text.translate(folding).encode("latin-1", "replace").decode("latin-1")
