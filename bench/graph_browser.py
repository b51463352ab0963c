"""Time from navigation to a drawn, interactive graph page, for the demo map and a 1,000-claim map.

What it does:
1. Creates a throwaway SQLite database (SQLITE_PATH, /tmp/graphbench.sqlite3 unless set) holding the
   demo map and bench/graph_layout.py's map of `--claims` claims (a random tree under four theses,
   about 10% extra cross relations, one quote per claim).
2. Serves it with `manage.py runserver --noreload` on 127.0.0.1:8123.
3. Opens each map's /graph/ in Debian's Chromium (the browser tests' flags), a fresh context per run
   (cold cache). static/js/graph.js sets #graph's data-ready-at to performance.now() two frames after
   the first drawing; performance.now() counts from the start of navigation, so that value is the time
   to a drawn graph. Then it times one interaction on the open page: a click on "Open every level"
   until the whole map is drawn, which shows the page answers and what the largest drawing costs.
4. Times the server alone: the graph page's HTML (built in Python, no browser) as a ratio to /healthz,
   both fetched the same number of times in the same run, since the machines are noisy.

Run: .venv/bin/python bench/graph_browser.py [--claims 1000] [--runs 5]
The aim: a 1,000-claim map interactive within 2 s in headless Chromium.
"""

import argparse
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# graph_layout sets up Django against the throwaway SQLite file and holds the map builder and server.
import graph_layout  # noqa: E402
from graph_layout import BASE, CHROMIUM, CHROMIUM_ARGS, READY, SLUG, open_once  # noqa: E402

from arguments.demo import load_demo  # noqa: E402

OPEN_ALL = """async () => {
  const module = document.querySelector('script[type=module][src*="/js/graph"]').src;
  const { graph, view } = await import(module);
  const started = performance.now();
  document.getElementById("graph-open-all").click();
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  return { ms: performance.now() - started, nodes: graph.nodes().length, total: view.data.nodes.length };
}"""


def fetch_ms(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def browser_runs(browser, url: str, runs: int) -> tuple[list[dict], list[dict]]:
    loads, opens = [], []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.goto(url)
        page.wait_for_function(READY, timeout=60_000)
        loads.append(page.evaluate(graph_layout.MEASURE))
        opens.append(page.evaluate(OPEN_ALL))
        context.close()
        if errors:
            raise SystemExit(f"page errors on {url}: {errors}")
    return loads, opens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()

    graph_layout.prepare_database(options.claims)
    demo = load_demo().map
    server = graph_layout.start_server()
    try:
        from playwright.sync_api import sync_playwright

        maps = [("demo map", demo.slug), (f"{options.claims}-claim map", SLUG)]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for _, slug in maps:
                open_once(browser, f"{BASE}/maps/{slug}/graph/")  # warm up the server (imports, first queries)
            trivial = statistics.median(
                open_once(browser, f"{BASE}/healthz", wait_for=None)["ready"] for _ in range(options.runs)
            )
            print(f"trivial page (/healthz) in the browser: {trivial:.0f} ms (median of {options.runs})")
            for label, slug in maps:
                loads, opens = browser_runs(browser, f"{BASE}/maps/{slug}/graph/", options.runs)
                ready = [run["ready"] for run in loads]
                print(
                    f"{label:<18} drawn and interactive in {statistics.median(ready):6.0f} ms "
                    f"(min {min(ready):.0f}, max {max(ready):.0f}; {loads[0]['nodes']} of {opens[0]['total']} "
                    f"claims drawn first; drawing {statistics.median(r['layout'] for r in loads):4.0f} ms)  "
                    f"open every level: {statistics.median(o['ms'] for o in opens):5.0f} ms "
                    f"for {opens[0]['nodes']} claims"
                )
            browser.close()
        healthz = statistics.median(fetch_ms(f"{BASE}/healthz") for _ in range(options.runs * 2))
        for label, slug in maps:
            page_ms = statistics.median(fetch_ms(f"{BASE}/maps/{slug}/graph/") for _ in range(options.runs * 2))
            print(
                f"{label:<18} server builds the page in {page_ms:6.1f} ms = {page_ms / healthz:5.1f}x /healthz "
                f"({healthz:.1f} ms)"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("aim: a 1,000-claim map drawn and interactive within 2000 ms")


if __name__ == "__main__":
    main()
