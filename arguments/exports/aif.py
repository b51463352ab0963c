"""AIF JSON as AIFdb and OVA write it (docs/aif.md has the mapping both ways).

Export (aif_export.py): each claim is an I-node; supports is I -> RA -> I, opposes is I -> CA -> I; each quoted
passage is an L-node ("Phillips 2021: “…”") with a locution, joined L -> YA -> I to the claim it
states, or, for supporting and opposing evidence, to an I-node holding the quote, which then
reaches the claim through an RA or CA. The quote I-nodes are listed under a top-level "warrant"
key so that Warrant, reading its own file back, does not take them for claims.

Import: I-nodes become claims, RA/MA nodes supports and CA nodes opposes relations, one per
premise and conclusion; an attack on an inference (I -> CA -> RA) opposes that inference's
conclusion. Quotes become passages only when OVA's analysed text comes with the file.
"""

import re
from collections import Counter, defaultdict

from django.db import transaction

from arguments.models import ArgumentMap, Claim, ClaimKind, Evidence, MapSource, Relation
from sources.anchoring import QuoteNotFound, locate_quote
from sources.extractors import IngestError, extract_html
from sources.models import Passage, Source, SourceFormat, SourceKind
from sources.normalise import normalise

from .aif_export import DEFAULT_TEXT
from .common import (
    MAX_CLAIMS,
    MAX_TEXT_CHARS,
    ImportProblem,
    close_map,
    need_dict,
    need_list,
    need_text,
    open_map,
    parse_document,
    show,
)
from .rows import insert_rows

FORMAT_NAME = "aif"
IGNORED_TYPES = ("PA", "TA")  # preferences and dialogue transitions: nothing in Warrant holds them
RELATION_OF = {"RA": "supports", "MA": "supports", "CA": "opposes"}
MAX_NODES = 300_000
MAX_EDGES = 600_000
MAX_LOCATED_QUOTES = 20_000
THESIS, CLAIM = ClaimKind.THESIS.value, ClaimKind.CLAIM.value  # plain strings for insert_rows
# Each scheme node links every premise to every conclusion: cap the product, or one node with
# 300,000 edges in and out would ask for 9 * 10^10 relations.
MAX_LINKS = 1_000_000
SPEAKER = re.compile(r"\A[^:\n]{1,100}?\s*:\s+(?=\S)")
QUOTE_MARKS = "“”„\"'‘’«»「」"


# Import


def import_aif(data, *, owner, title: str | None = None) -> ArgumentMap:
    """A new map owned by `owner` from an AIFdb document or an OVA file (dict, str or bytes).

    Raises ImportProblem, having written nothing, if the graph is structurally broken.
    """
    document = parse_document(data)
    reading = _Reading(document)
    text = _visible_text(reading.html)
    name = need_text(title or "", "title", limit=200).strip() or reading.title or "Imported AIF map"
    theses = reading.targets - reading.premises  # conclusions that are never premises
    question = reading.claims[min(theses)][1] if len(theses) == 1 else name
    with transaction.atomic():
        argument_map = open_map(
            owner=owner,
            title=name,
            slug="",
            question=question,
            description="Imported from AIF.",
        )
        same = {"map_id": argument_map.pk, "created_by_id": owner.pk}
        claims = insert_rows(
            Claim,
            ("kind", "text"),
            [(THESIS if c in theses else CLAIM, t) for c, (_, t) in enumerate(reading.claims)],
            **same,
        )
        insert_rows(
            Relation,
            ("from_claim_id", "to_claim_id", "kind", "scheme"),
            [(claims[a], claims[b], kind, scheme) for a, b, kind, scheme in reading.relations],
            **same,
        )
        passages, evidence = _place_quotes(reading, argument_map, text, claims, owner, name)
        counts = {
            "claims": len(claims),
            "theses": len(theses),
            "relations": len(reading.relations),
            "passages": passages,
            "evidence": evidence,
            "skipped": dict(sorted(reading.skipped.items())),
        }
        return close_map(argument_map, owner=owner, imported_from=FORMAT_NAME, counts=counts)


class _Reading:
    """A checked AIF graph, reduced to what Warrant keeps: claims, relations and quotes."""

    def __init__(self, document: dict) -> None:
        wrapped = isinstance(document.get("AIF"), dict)
        graph = document["AIF"] if wrapped else document
        self.prefix = "AIF." if wrapped else ""
        self.html = need_text(document.get("text"), "text", default="") if wrapped else ""
        hint = document.get("warrant") if isinstance(document.get("warrant"), dict) else {}
        self.title = _optional_text(hint.get("title"))[:200].strip()
        self.skipped: Counter = Counter()
        self._read_nodes(need_list(graph.get("nodes"), f"{self.prefix}nodes", limit=MAX_NODES))
        self._read_edges(need_list(graph.get("edges"), f"{self.prefix}edges", limit=MAX_EDGES, missing_ok=True))
        need_list(graph.get("locutions"), f"{self.prefix}locutions", limit=MAX_NODES, missing_ok=True)
        quotes = hint.get("quotes") if isinstance(hint.get("quotes"), list) else []
        self.quote_nodes = {_plain_id(q) for q in quotes[:MAX_NODES]} & {n for n, k in self.kind.items() if k == "I"}
        self.claim_of: dict[str, int] = {}
        self.claims: list[tuple[str, str]] = []  # (node id, text)
        for node_id, kind in self.kind.items():
            if kind != "I" or node_id in self.quote_nodes:
                continue
            if not self.text[node_id].strip():
                self.skipped["blank_propositions"] += 1
                continue
            if len(self.claims) >= MAX_CLAIMS:
                raise ImportProblem(f"more than {MAX_CLAIMS} propositions", where=f"{self.prefix}nodes")
            self.claim_of[node_id] = len(self.claims)
            self.claims.append((node_id, self.text[node_id].strip()))
        self.relations: list[tuple[int, int, str, str]] = []
        self.quote_links: list[tuple[str, int, str]] = []  # quote node, claim, stance
        self.premises: set[int] = set()
        self.targets: set[int] = set()
        self.links = 0
        self._read_schemes()
        self.anchors = list(self._anchors())

    def _read_nodes(self, nodes: list) -> None:
        self.kind: dict[str, str] = {}
        self.text: dict[str, str] = {}
        self.scheme_name: dict[str, str] = {}
        self.where: dict[str, str] = {}
        for i, node in enumerate(nodes):
            where = f"{self.prefix}nodes[{i}]"
            node = need_dict(node, where)
            node_id = _node_id(node.get("nodeID"), f"{where}.nodeID")
            if node_id in self.kind:
                raise ImportProblem(f"{show(node_id)} is also the id of {self.where[node_id]}", where=f"{where}.nodeID")
            kind = need_text(node.get("type"), f"{where}.type", limit=20, blank=False).strip()
            self.kind[node_id] = kind
            self.where[node_id] = where
            self.text[node_id] = need_text(node.get("text"), f"{where}.text", limit=100_000, default="")
            if kind in RELATION_OF:
                scheme = _optional_text(node.get("scheme")).strip()
                self.scheme_name[node_id] = scheme or self.text[node_id].strip()
            elif kind not in ("I", "L", "YA"):
                self.skipped[f"{kind}_nodes" if kind in IGNORED_TYPES else "unknown_type_nodes"] += 1

    def _read_edges(self, edges: list) -> None:
        self.outgoing: dict[str, dict] = defaultdict(dict)
        self.incoming: dict[str, dict] = defaultdict(dict)
        for i, edge in enumerate(edges):
            where = f"{self.prefix}edges[{i}]"
            edge = need_dict(edge, where)
            ends = []
            for end in ("fromID", "toID"):
                node_id = _node_id(edge.get(end), f"{where}.{end}")
                if node_id not in self.kind:
                    raise ImportProblem(f"{show(edge.get(end))} names no node", where=f"{where}.{end}")
                ends.append(node_id)
            self.outgoing[ends[0]][ends[1]] = None
            self.incoming[ends[1]][ends[0]] = None

    def _read_schemes(self) -> None:
        seen: set[tuple[int, int]] = set()
        for node_id, kind in self.kind.items():
            if kind not in RELATION_OF:
                continue
            label = f"{self.where[node_id]} ({kind} {show(node_id)})"
            if not self.incoming[node_id]:
                raise ImportProblem("has no premise: no edge leads into it", where=label)
            if not self.outgoing[node_id]:
                raise ImportProblem("has no conclusion: no edge leads out of it", where=label)
            premises = [p for p in self.incoming[node_id] if self.kind[p] == "I"]
            conclusions = [c for c in self.outgoing[node_id] if self.kind[c] == "I"]
            if kind == "CA":  # an attack on an inference opposes what the inference concludes
                for target in self.outgoing[node_id]:
                    if self.kind[target] == "RA":
                        conclusions += [c for c in self.outgoing[target] if self.kind[c] == "I"]
            if not premises or not conclusions:
                self.skipped["schemes_without_propositions"] += 1
                continue
            relation = RELATION_OF[kind]
            name = self.scheme_name[node_id] or (DEFAULT_TEXT["MA"] if kind == "MA" else "")
            scheme = "" if name == DEFAULT_TEXT["RA"] or name == DEFAULT_TEXT["CA"] else name[:100]
            conclusions = list(dict.fromkeys(conclusions))
            self._count_links(len(premises) * len(conclusions), label)
            for p in premises:
                for c in conclusions:
                    if c not in self.claim_of:
                        self.skipped["links_to_non_claims"] += 1
                    elif p in self.quote_nodes:
                        self.quote_links.append((p, self.claim_of[c], relation))
                    elif p not in self.claim_of:
                        self.skipped["links_to_non_claims"] += 1
                    elif p == c:
                        self.skipped["self_relations"] += 1
                    elif (self.claim_of[p], self.claim_of[c]) in seen:
                        self.skipped["repeated_relations"] += 1
                    else:
                        a, b = self.claim_of[p], self.claim_of[c]
                        seen.add((a, b))
                        self.relations.append((a, b, relation, scheme))
                        self.premises.add(a)
                        self.targets.add(b)

    def _count_links(self, n: int, where: str) -> None:
        self.links += n
        if self.links > MAX_LINKS:
            raise ImportProblem(f"links more than {MAX_LINKS} premise and conclusion pairs in all", where=where)

    def _anchors(self):
        """(candidate quotes, claim index, stance) for each locution asserting a proposition."""
        links = defaultdict(list)
        for quote_node, claim, stance in self.quote_links:
            links[quote_node].append((claim, stance))
        for node_id, kind in self.kind.items():
            if kind != "YA":
                continue
            speakers = [n for n in self.incoming[node_id] if self.kind[n] == "L"]
            self._count_links(len(speakers) * len(self.outgoing[node_id]), self.where[node_id])
            for target in self.outgoing[node_id]:
                for speaker in speakers:
                    said = self.text[speaker].strip()
                    bare = _unquote(SPEAKER.sub("", said, count=1))
                    if target in self.claim_of:
                        yield (bare, said), self.claim_of[target], "states"
                    elif target in links:
                        for claim, stance in links.pop(target):
                            yield (self.text[target], bare, said), claim, stance


def _node_id(value, where: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip() and len(value) <= 100:
        return value.strip()
    raise ImportProblem(f"expected a node id (a string or whole number), found {show(value)}", where=where)


def _optional_text(value) -> str:
    """A string that may go into the database, or "" for anything else (null, a number, a NUL...)."""
    try:
        return need_text(value, "", limit=1000) if isinstance(value, str) else ""
    except ImportProblem:
        return ""


def _plain_id(value) -> str:
    return str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] in QUOTE_MARKS and text[-1] in QUOTE_MARKS:
        return text[1:-1].strip()
    return text


def _visible_text(html: str) -> str:
    """The canonical text of OVA's analysed text, which it stores as HTML."""
    if not html.strip():
        return ""
    try:
        text = extract_html(html).text
    except IngestError as error:  # a hostile text is refused like any broken part of the file
        raise ImportProblem(str(error), where="text") from None
    return normalise(text, mend_page_breaks=False)[:MAX_TEXT_CHARS]


def _place_quotes(reading: _Reading, argument_map, text: str, claims: list, owner, name: str) -> tuple[int, int]:
    """Passages and evidence for the quotes found in the analysed text; the others are counted."""
    anchors = reading.anchors
    if not anchors:
        return 0, 0
    if not text:
        reading.skipped["quotes_without_source"] += len(anchors)
        return 0, 0
    # Always a new source, never an existing one with the same text: an import adopts nothing it could
    # not read before (compare warrant_json._place_sources).
    source = Source(
        title=f"{name} (analysed text)"[:500],
        text=text,
        original=reading.html.encode("utf-8"),
        original_name="ova-analysed-text.html",
        original_format=SourceFormat.HTML,
        kind=SourceKind.OTHER,
        added_by=owner,
    )
    source.save()
    MapSource.objects.create(map=argument_map, source=source, position=0)
    spans: dict[tuple[int, int], Passage] = {}
    links: dict[tuple[tuple[int, int], int], str] = {}
    for candidates, claim, stance in anchors[:MAX_LOCATED_QUOTES]:
        span = _locate(text, candidates)
        if span is None:
            reading.skipped["quotes_not_found"] += 1
            continue
        if span not in spans:
            spans[span] = Passage.from_span(source, *span, created_by=owner)
            spans[span].check_invariant()
        links.setdefault((span, claim), stance)
    reading.skipped["quotes_not_found"] += max(0, len(anchors) - MAX_LOCATED_QUOTES)
    Passage.objects.bulk_create(spans.values())
    insert_rows(
        Evidence,
        ("passage_id", "claim_id", "stance"),
        [(spans[span].pk, claims[claim], stance) for (span, claim), stance in links.items()],
        map_id=argument_map.pk,
        created_by_id=owner.pk,
    )
    return len(spans), len(links)


def _locate(text: str, candidates) -> tuple[int, int] | None:
    for quote in candidates:
        if quote.strip():
            try:
                return locate_quote(text, quote)
            except QuoteNotFound:
                continue
    return None
