"""Time every export format through its view on a 10,000-claim map, against a trivial view.

Each download is fetched with Django's test client as the map's owner, best of a few runs, and
printed with its ratio to GET /healthz timed in the same run (these machines are noisy), three
ways: cold (built), repeat (the same revision again, from the per-revision cache) and 304 (the
caller has it). Target: every format within 20x the trivial view, except SVG, which is bounded instead: a map over
MAX_SVG_CLAIMS claims is refused before Graphviz runs, and a smaller one is laid out with a time
limit. The SVG line reports what happened (status, time); a second SVG case times a 1,000-claim map
(the size that took Graphviz 60 s with default settings, TRAPS.md) to show the layout bound.

The map is built by bench/interchange.py's builder in a throwaway SQLite database (SQLITE_PATH,
default /tmp/exportbench.sqlite3), deleted and migrated first.

Run: .venv/bin/python bench/exports.py [--claims N] [--runs N]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DB_PATH = Path(os.environ.get("SQLITE_PATH", "/tmp/exportbench.sqlite3"))
os.environ["SQLITE_PATH"] = str(DB_PATH)
os.environ.pop("DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

TARGET_RATIO = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a format misses the target")
    args = parser.parse_args()
    from timing import best  # bench/timing.py

    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from interchange import build_map  # bench/interchange.py

    from arguments.exports.dot import MAX_SVG_CLAIMS
    from arguments.exports.registry import FORMATS

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # the expected 422 / 503 answers
    logging.getLogger("fpdf").setLevel(logging.CRITICAL)
    logging.getLogger("fontTools").setLevel(logging.CRITICAL)
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    argument_map, owner = build_map(args.claims)
    print(f"built a map of {args.claims:,} claims in {time.perf_counter() - start:.2f} s ({DB_PATH})")

    client = Client()
    client.force_login(owner)
    client.get("/healthz")
    baseline, _ = best(lambda: client.get("/healthz"), 200)
    print(f"baseline: GET /healthz through the test client, best of 200: {baseline * 1e3:.3f} ms")
    from arguments.models import Claim, Evidence, Relation

    def rows() -> None:
        list(Claim.objects.filter(map=argument_map).values_list("id", "kind", "text"))
        list(Relation.objects.filter(map=argument_map).values_list("from_claim_id", "to_claim_id", "kind"))
        list(Evidence.objects.filter(map=argument_map).values_list("passage_id", "claim_id", "stance"))

    floor, _ = best(rows, 5)
    print(f"floor: reading the claim, relation and evidence rows alone: {floor * 1e3:.1f} ms = {floor / baseline:.0f}x")
    print(
        "cold: the file built (cache cleared before each run); repeat: the same revision again (built once, "
        "see arguments/exports/cache.py); 304: the caller sends the ETag it has"
    )
    print(
        f"{'format':15} {'status':>6} {'bytes':>11} {'cold s':>8} {'x base':>8} {'repeat ms':>10} {'x base':>7} "
        f"{'304 ms':>7} {'x base':>7}  verdict"
    )

    missed = []
    for fmt in FORMATS:
        url = reverse("arguments:export_format", args=[argument_map.slug, fmt.key])
        cold, response = best(lambda url=url: client.get(url), args.runs if fmt.key != "svg" else 1, cache.clear)
        repeat, again = best(lambda url=url: client.get(url), 20)
        etag = response.get("ETag", "")
        unchanged, answer = best(lambda url=url, etag=etag: client.get(url, HTTP_IF_NONE_MATCH=etag), 50)
        if fmt.key == "svg":
            verdict = "bounded (refused: over the limit)" if response.status_code == 422 else "bounded"
        elif response.status_code != 200 or again.status_code != 200 or answer.status_code != 304:
            verdict = "FAILED"
            missed.append(fmt.key)
        elif max(repeat, unchanged) / baseline <= TARGET_RATIO:
            verdict = f"ok (repeat and 304 within {TARGET_RATIO}x; cold not)"
        else:
            verdict = f"MISSED (> {TARGET_RATIO}x)"
            missed.append(fmt.key)
        print(
            f"{fmt.key:15} {response.status_code:6} {len(response.content):11,} {cold:8.3f} {cold / baseline:8.0f} "
            f"{repeat * 1e3:10.2f} {repeat / baseline:7.1f} {unchanged * 1e3:7.2f} {unchanged / baseline:7.1f}  "
            f"{verdict}"
        )

    # The layout bound on a map small enough to be drawn: 1,000 claims with cross edges.

    small, small_owner = build_map_named(build_map, 1_000)
    claims = list(Claim.objects.filter(map=small).order_by("id").values_list("id", flat=True))
    taken = set(Relation.objects.filter(map=small).values_list("from_claim_id", "to_claim_id"))
    cross = {(claims[i], claims[(i * 7919) % 997 + 1]) for i in range(500, 1000, 3)}
    Relation.objects.bulk_create(
        Relation(map=small, from_claim_id=a, to_claim_id=b, kind="opposes")
        for a, b in sorted(cross - taken)
        if a != b and (b, a) not in taken
    )
    url = reverse("arguments:export_format", args=[small.slug, "svg"])
    client.force_login(small_owner)
    seconds, response = best(lambda: client.get(url), 1)
    outcome = {200: "drawn", 503: "stopped at the time limit", 422: "refused"}.get(response.status_code, "?")
    print(
        f"svg, 1,000 claims + cross edges: status {response.status_code} ({outcome}) in {seconds:.2f} s, "
        f"{len(response.content):,} bytes; SVG limit {MAX_SVG_CLAIMS:,} claims"
    )
    if missed:
        print(f"missed the {TARGET_RATIO}x target: {', '.join(missed)}")
        if args.strict:
            sys.exit(1)


def build_map_named(build_map, n: int):
    """bench/interchange.py's builder makes a user named bench-owner; rename it to build a second map."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username="bench-owner").update(username=f"bench-owner-{time.monotonic_ns()}")
    argument_map, owner = build_map(n)
    return argument_map, owner


if __name__ == "__main__":
    main()
