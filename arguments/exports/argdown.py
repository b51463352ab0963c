"""Argdown export: statements and their relations as the Argdown tools read them (https://argdown.org).

Every claim becomes one statement `[Title]: text`, defined once and referred to by `[Title]` after
that. Relations are written as indented children of the statement they point at, with `<+` for a
supporter and `<-` for an opponent, so each relation of the map appears exactly once. The map is
walked from each thesis in its own section (`# Thesis: ...`); claims that no thesis reaches, and
subtrees deeper than MAX_DEPTH (kept flat so that the indentation stays bounded), follow in a last
section. Two queries, whatever the size of the map.

Statement text is one line: runs of whitespace become one space. Characters that start Argdown
syntax (references, tags, mentions, emphasis, comments, data, shortcodes, front matter) are
escaped with a backslash; the reference parser (@argdown/core) reads back the text unchanged,
which tests/test_exports.py checks.
"""

import re
from collections import defaultdict

from django.utils.text import Truncator

from arguments.models import ArgumentMap, Claim, Relation

MAX_DEPTH = 24
INDENT = "  "
MARK = {"supports": "<+", "opposes": "<-"}
TITLE_WORDS = 5

# Always escaped: \ [ ] < > # { } @ * _ / =. Escaped when followed by a non-space: ':' and '.',
# which otherwise open shortcodes such as ":smile:" or ".A.".
_SPECIAL = re.compile(r"[\\\[\]<>#{}@*_/=]|[:.](?=\S)")
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile("['’]")


def escape(text: str) -> str:
    """`text` as the single-line body of an Argdown statement."""
    text = " ".join(text.split())
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), text) or "(no text)"


def title_for(pk: int, text: str) -> str:
    """A short, unique statement title: the first words of the claim and its id."""
    words = _WORD.findall(_APOSTROPHES.sub("", text))[:TITLE_WORDS]
    short = " ".join(word[:20] for word in words)
    return f"{short} {pk}" if short else f"Claim {pk}"


def export_argdown(argument_map: ArgumentMap) -> str:
    claims = list(Claim.objects.filter(map_id=argument_map.pk).order_by("id").values_list("id", "kind", "text"))
    incoming: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for source, target, kind in (
        Relation.objects.filter(map_id=argument_map.pk)
        .order_by("id")
        .values_list("from_claim_id", "to_claim_id", "kind")
    ):
        incoming[target].append((kind, source))
    text = {pk: body for pk, _, body in claims}
    titles = {pk: title_for(pk, body) for pk, _, body in claims}
    defined: set[int] = set()
    later: list[int] = []  # statements whose relations are written in the last section
    out: list[str] = []

    def statement(pk: int) -> str:
        if pk in defined:
            return f"[{titles[pk]}]"
        defined.add(pk)
        return f"[{titles[pk]}]: {escape(text[pk])}"

    def tree(root: int) -> None:
        """Write `root` and, depth first, the relations into it and into its new descendants."""
        out.append(statement(root) + "\n")
        stack = [(root, 1, iter(incoming.get(root, ())))]
        while stack:
            target, depth, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                continue
            kind, pk = child
            is_new = pk not in defined
            out.append(f"{INDENT * depth}{MARK[kind]} {statement(pk)}\n")
            if is_new and incoming.get(pk):
                if depth < MAX_DEPTH:
                    stack.append((pk, depth + 1, iter(incoming[pk])))
                else:
                    later.append(pk)

    theses = [(pk, body) for pk, kind, body in claims if kind == "thesis"]
    for pk, body in theses:
        if pk in defined:  # a thesis already written beneath another one
            continue
        heading = escape(Truncator(body).chars(78))  # cut before escaping: no escape is cut in half
        out.append(f"# Thesis: {heading}\n\n")
        tree(pk)
        out.append("\n")

    rest = [pk for pk, _, _ in claims if pk not in defined]
    if rest or later:
        out.append("# Other claims\n\n" if theses else "# Claims\n\n")
        for pk in rest:
            if pk in defined:  # written meanwhile as part of another tree
                continue
            tree(pk)
            out.append("\n")
        while later:  # subtrees cut at MAX_DEPTH, continued flat; each may cut further subtrees
            pk = later.pop(0)
            tree(pk)
            out.append("\n")
    return "".join(out)
