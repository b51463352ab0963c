"""Time from navigation to a laid-out, interactive graph page for a map of 1,000 claims.

What it does:
1. Creates a throwaway SQLite database (SQLITE_PATH, /tmp/graphbench.sqlite3 unless set), migrates it
   and fills it with one public map: a few theses, a random tree of claims under them, about 10% extra
   "cross" relations between branches, and one quote per claim.
2. Serves it with `manage.py runserver --noreload` on 127.0.0.1:8123.
3. Opens /maps/<slug>/graph/ in Debian's Chromium, launched with the browser tests' flags, in a fresh
   browser context per run (cold cache). static/js/graph.js sets #graph's data-ready-at to
   performance.now() two frames after the first layout stops; performance.now() counts from the
   start of navigation, so that value is the time to a drawn, clickable graph.
4. Times a trivial page (/healthz) the same way in the same browser and prints the ratio, since the
   machines are noisy (see bench/README.md). The issue's budget is 3 s for 1,000 claims.

Run: .venv/bin/python bench/graph_layout.py [--claims 1000] [--runs 5]
The graph no longer uses dagre (static/js/graph-layout.js lays out a tree of the claims shown), so the
old --compare of dagre's rankers is gone; bench/graph_browser.py times the demo and a big map together.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SQLITE_PATH", "/tmp/graphbench.sqlite3")
os.environ.pop("DATABASE_URL", None)  # always the throwaway SQLite file, never a shared database
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "1"  # runserver then serves the static files straight from static/
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from arguments import services  # noqa: E402
from arguments.models import ArgumentMap, Claim, ClaimKind, Evidence, Relation, Visibility  # noqa: E402
from sources.models import Passage, Source, SourceFormat  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PORT = 8123
BASE = f"http://127.0.0.1:{PORT}"
SLUG = "graph-bench"
THESES = 4
PHRASES = [
    "coalitions of the willing",
    "the Security Council",
    "act quickly when vetoes block action",
    "lack accountability and legitimacy",
    "regional organisations",
    "share the burden of peace operations",
    "reform the multilateral framework",
    "great powers ignore the norms",
]
READY = "() => Number(document.getElementById('graph')?.dataset.readyAt) > 0"
MEASURE = """async () => {
  const nav = performance.getEntriesByType("navigation")[0];
  const graph = document.getElementById("graph").dataset;
  const module = document.querySelector('script[type=module][src*="/js/graph"]').src;
  const cy = (await import(module)).graph;
  return {
    ready: Number(graph.readyAt),
    layout: graph.layoutEnd - graph.layoutStart,
    scriptStart: Number(graph.layoutStart),
    response: nav.responseEnd,
    server: nav.responseStart - nav.requestStart,
    nodes: cy.nodes().length,
    edges: cy.edges().length,
  };
}"""


def sentence(rng: random.Random) -> str:
    """Between about 25 and 160 characters, like real claims."""
    return " ".join(rng.choice(PHRASES) for _ in range(rng.randint(1, 5))).capitalize() + "."


@transaction.atomic
def build_map(claims: int, seed: int = 7) -> ArgumentMap:
    """A public map of `claims` claims: a random tree under a few theses, ~10% cross relations, one quote each."""
    rng = random.Random(seed)
    owner = get_user_model().objects.create_user("bench-owner")
    argument_map = services.create_map(
        owner=owner, title="Graph benchmark", question="Should states act in coalitions?", visibility=Visibility.PUBLIC
    )
    ArgumentMap.objects.filter(pk=argument_map.pk).update(slug=SLUG)
    argument_map.refresh_from_db()
    text = "\n\n".join(sentence(rng) for _ in range(200))
    source = Source.objects.create(
        title="Bench source",
        text=text,
        authors=["Ana Lima"],
        published="2024",
        original_format=SourceFormat.TXT,
        original_name="bench.txt",
        added_by=owner,
    )
    services.add_source(argument_map=argument_map, source=source, actor=owner)

    rows = Claim.objects.bulk_create(
        Claim(
            map=argument_map,
            kind=ClaimKind.THESIS if i < THESES else ClaimKind.CLAIM,
            text=sentence(rng),
            created_by=owner,
        )
        for i in range(claims)
    )
    ids = [claim.pk for claim in rows]
    # Each claim bears on one earlier claim (a random recursive tree, depth about ln n), then about
    # one claim in ten gets a second relation to an earlier claim elsewhere in the map.
    pairs = {(i, rng.randrange(THESES) if i < 2 * THESES else rng.randrange(i)) for i in range(THESES, claims)}
    while len(pairs) < (claims - THESES) + claims // 10:
        a = rng.randrange(THESES, claims)
        pairs.add((a, rng.randrange(a)))
    Relation.objects.bulk_create(
        Relation(
            map=argument_map,
            from_claim_id=ids[a],
            to_claim_id=ids[b],
            kind="supports" if rng.random() < 0.6 else "opposes",
            created_by=owner,
        )
        for a, b in sorted(pairs)
    )
    starts = rng.sample(range(len(text) - 60), len(ids))  # distinct: a passage is unique by its span
    passages = Passage.objects.bulk_create(
        Passage.from_span(source, start, start + 50, created_by=owner) for start in starts
    )
    Evidence.objects.bulk_create(
        Evidence(
            map=argument_map,
            passage=passage,
            claim_id=claim_id,
            stance=rng.choice(["states", "supports", "opposes"]),
            created_by=owner,
        )
        for passage, claim_id in zip(passages, ids, strict=False)
    )
    return argument_map


def prepare_database(claims: int) -> None:
    path = Path(os.environ["SQLITE_PATH"])
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    build_map(claims)
    print(
        f"built a map of {claims} claims and {Relation.objects.count()} relations "
        f"in {time.perf_counter() - started:.1f} s ({path})"
    )


def start_server() -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{BASE}/healthz", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"runserver did not answer on port {PORT}")


def open_once(browser, url: str, layout: dict | None = None, wait_for: str | None = READY) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    if wait_for:
        page.wait_for_function(wait_for, timeout=60_000)
        result = page.evaluate(MEASURE)
    else:
        result = {"ready": page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")}
    context.close()
    if errors:
        raise SystemExit(f"page errors: {errors}")
    return result


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def report(label: str, runs: list[dict], trivial_ms: float) -> None:
    ready = median_of(runs, "ready")
    print(
        f"{label:<28} ready {ready:7.0f} ms (min {min(r['ready'] for r in runs):.0f}, max "
        f"{max(r['ready'] for r in runs):.0f})  layout {median_of(runs, 'layout'):6.0f} ms  "
        f"server {median_of(runs, 'server'):5.0f} ms  = {ready / trivial_ms:5.1f}x a trivial page"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()

    prepare_database(options.claims)
    server = start_server()
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            url = f"{BASE}/maps/{SLUG}/graph/"
            open_once(browser, url)  # warm up the server (imports, first queries)
            trivial = statistics.median(
                open_once(browser, f"{BASE}/healthz", wait_for=None)["ready"] for _ in range(options.runs)
            )
            first = open_once(browser, url)
            print(f"{first['nodes']} nodes, {first['edges']} edges drawn; trivial page (/healthz): {trivial:.0f} ms")
            variants: list[tuple[str, dict | None]] = [("as shipped (graph.js)", None)]
            for label, layout in variants:
                runs = [open_once(browser, url, layout) for _ in range(options.runs)]
                report(label, runs, trivial)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("budget: 3000 ms to a laid-out, interactive graph of 1,000 claims")


if __name__ == "__main__":
    main()
