"""What the browser tests read of a page's scripts: state they publish on the page, never globals.

- live.js marks the [data-live-map] element with data-live-mode ("polling", "stream", "stopped").
- graph.js exports its Cytoscape instance as `graph`; a test imports the module the page loaded (the
  same URL, so the same module instance) to look at it, and waits for #graph's data-ready-at.
"""

import time

LIVE_MODE = "document.querySelector('[data-live-map]')?.dataset.liveMode"
# Functions, not bare expressions: Playwright evaluates a bare expression with eval(), which the CSP forbids.
GRAPH_READY = "() => Number(document.getElementById('graph')?.dataset.readyAt) > 0"
_GRAPH = "(await import(document.querySelector('script[type=module][src*=\"/js/graph\"]').src)).graph"


def wait_for_live_mode(page, mode: str = "polling") -> None:
    page.wait_for_function(f"() => {LIVE_MODE} === {mode!r}")


def on_graph(page, expression: str, arg=None):
    """`expression` evaluated with `cy` the page's graph and `arg` the argument: on_graph(page, "cy.nodes().length")."""
    return page.evaluate(f"async (arg) => {{ const cy = {_GRAPH}; return {expression}; }}", arg)


def wait_for_graph(page, condition: str, timeout: float = 10_000) -> None:
    """Wait until `condition` (an expression over `cy`) holds.

    Polled from here: Playwright's wait_for_function takes the promise an async predicate returns
    for a true answer at once.
    """
    deadline = time.monotonic() + timeout / 1000
    while not on_graph(page, f"Boolean(cy) && ({condition})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"the graph never satisfied {condition!r} within {timeout} ms")
        page.wait_for_timeout(100)
