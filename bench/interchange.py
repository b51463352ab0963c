"""Time Warrant JSON and AIF export and import on a 10,000-claim map.

Targets: Warrant JSON export (export_map + dumps) of the 10,000-claim map in at most 0.35 s; AIF
import plus export of a 10,000-node AIF file in at most 1.4 s together. Each time is the best of a
few runs, printed with its ratio to a trivial baseline timed in the same run (a GET of /healthz
through Django's test client), since these machines are noisy.

The map is bulk-created in a throwaway SQLite database (SQLITE_PATH, default
/tmp/warrant-bench-interchange.sqlite3), which is deleted and migrated first.

Run: .venv/bin/python bench/interchange.py [--claims N] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from timing import best  # bench/timing.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_PATH = Path(os.environ.get("SQLITE_PATH", "/tmp/warrant-bench-interchange.sqlite3"))
os.environ["SQLITE_PATH"] = str(DB_PATH)
os.environ.pop("DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

TARGETS = {"Warrant JSON export": 0.35, "AIF import + export (10,000-node file)": 1.4}
TEXT = (
    "Coalitions of the willing act quickly when the Security Council is blocked. "
    "Critics answer that such coalitions lack accountability and legitimacy. "
    "Peace operations remain a necessity and a resource that should be used — 多边主义 😀. "
) * 40


def build_map(n: int):
    """A map of n claims: a pro/con tree, 2,000 distinct passages quoted once per claim, n/10 comments."""
    from django.contrib.auth import get_user_model

    from arguments import services
    from arguments.models import Claim, Comment, Evidence, Relation
    from sources.models import Passage, Source

    owner = get_user_model().objects.create_user("bench-owner", password="x")
    argument_map = services.create_map(owner=owner, title="Bench map", question="Should states act in coalitions?")
    source = Source.objects.create(title="Bench source", text=TEXT, original_format="txt", authors=["Ana Lima"])
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    passages = Passage.objects.bulk_create(
        Passage.from_span(source, k, k + 40 + k % 50) for k in range(0, 2000 * 3, 3) if k + 90 < len(TEXT)
    )
    claims = Claim.objects.bulk_create(
        Claim(map=argument_map, kind="thesis" if i == 0 else "claim", text=f"Argument number {i} — 論点 {i}")
        for i in range(n)
    )
    Relation.objects.bulk_create(
        Relation(
            map=argument_map,
            from_claim=claims[i],
            to_claim=claims[(i - 1) // 3],
            kind="supports" if i % 2 else "opposes",
            scheme="Argument from expert opinion" if i % 7 == 0 else "",
        )
        for i in range(1, n)
    )
    Evidence.objects.bulk_create(
        Evidence(
            map=argument_map,
            passage=passages[i % len(passages)],
            claim=claims[i],
            stance=("states", "supports", "opposes")[i % 3],
            note="checked" if i % 5 == 0 else "",
        )
        for i in range(n)
    )
    Comment.objects.bulk_create(
        Comment(claim=claims[i * 10], author=owner, body=f"Comment {i}") for i in range(n // 10)
    )
    return argument_map, owner


def aif_file(nodes: int) -> dict:
    """An AIFdb file of exactly `nodes` nodes: half I-nodes, half RA/CA nodes joining each to a parent."""
    half = nodes // 2
    graph_nodes = [{"nodeID": k, "text": f"Proposition {k}", "type": "I", "timestamp": None} for k in range(half)]
    edges = []
    for k in range(half, nodes):
        child, parent = k - half, max(0, (k - half - 1) // 3)
        if child == parent:  # the root has nothing to point at: let it attack the last proposition
            parent = half - 1
        kind = "RA" if k % 2 else "CA"
        text = "Default Inference" if kind == "RA" else "Default Conflict"
        graph_nodes.append({"nodeID": str(k), "text": text, "type": kind, "scheme": text})
        edges += [
            {"edgeID": 2 * k, "fromID": child, "toID": k},
            {"edgeID": 2 * k + 1, "fromID": str(k), "toID": parent},
        ]
    return {"nodes": graph_nodes, "edges": edges, "locutions": []}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from arguments.exports.aif import import_aif
    from arguments.exports.aif_export import export_aif
    from arguments.exports.common import dumps
    from arguments.exports.warrant_json import export_map, import_map

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    argument_map, owner = build_map(args.claims)
    print(f"built a map of {args.claims:,} claims in {time.perf_counter() - start:.2f} s ({DB_PATH})")

    client = Client()
    client.get("/healthz")
    baseline, _ = best(lambda: client.get("/healthz"), 200)
    json_text = dumps(export_map(argument_map))
    aif_text = dumps(aif_file(10_000))
    results: dict[str, float] = {}

    def aif_round_trip() -> None:
        dumps(export_aif(import_aif(aif_text, owner=owner, title="Bench AIF")))

    cases = {
        "Warrant JSON export": lambda: dumps(export_map(argument_map)),
        "Warrant JSON import": lambda: import_map(json_text, owner=owner),
        "AIF export": lambda: dumps(export_aif(argument_map)),
        "AIF import (10,000-node file)": lambda: import_aif(aif_text, owner=owner, title="Bench AIF"),
        "AIF import + export (10,000-node file)": aif_round_trip,
    }
    print(f"baseline: GET /healthz through the test client, best of 200: {baseline * 1e3:.3f} ms")
    sizes = f"Warrant JSON document: {len(json_text.encode()) / 1e6:.1f} MB"
    print(f"{sizes}; AIF file: {len(aif_text.encode()) / 1e6:.1f} MB")
    print(f"{'operation':42} {'best s':>8} {'x baseline':>11} {'target s':>9}")
    for name, fn in cases.items():
        results[name], _ = best(fn, args.runs)
        target = TARGETS.get(name)
        verdict = "" if target is None else ("  ok" if results[name] <= target else "  MISSED")
        target_text = f"{target:9.2f}" if target else f"{'':9}"
        print(f"{name:42} {results[name]:8.3f} {results[name] / baseline:11.0f} {target_text}{verdict}")
    if any(results[name] > target for name, target in TARGETS.items()):
        sys.exit(1)


if __name__ == "__main__":
    main()
