/* The graph page (templates/arguments/map_graph.html).
 *
 * Draws the map's claims and relations with Cytoscape.js (vendored, loaded before this module), lays
 * them out with graph-layout.js, and shows a claim's summary beside the graph by asking the server for
 * it through htmx. The data is the page's json_script block (#graph-data). When the map changes, the
 * list refreshes itself (templates/_live_region.html); htmx leaves every <script> of a fresh page out
 * of what it swaps in, so the graph reads the fresh data block from the same response and follows it.
 * Without this script the page still lists every claim, each linked to its own page.
 *
 * For the browser tests and bench/graph_layout.py: #graph carries data-layout-start, data-layout-end
 * and data-ready-at (performance.now() values) and sends "warrant:graph-ready" once the first layout
 * has been painted; `graph` below is the Cytoscape instance, for tests that import this module.
 */
import { layOut } from "./graph-layout.js";

// Past this many claims, drawing while panning or zooming uses cached bitmaps and skips the edges.
const BIG_GRAPH = 300;
const PADDING = 24;
// Below this zoom the labels are too small to read; the first view then starts at the top instead.
const READABLE_ZOOM = 0.8;

export let graph = null;

const container = document.getElementById("graph");
const list = () => document.getElementById("graph-list");

function readData(root = document) {
  const block = root.getElementById("graph-data");
  return block ? JSON.parse(block.textContent) : null;
}

// The live refresh's response, read before htmx swaps the list in (and drops the page's data block).
let freshData = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  const { elt, shouldSwap, serverResponse } = event.detail;
  if (elt?.id !== "graph-list-section" || !shouldSwap) return; // regions.js may have held the swap back
  const fresh = readData(new DOMParser().parseFromString(serverResponse, "text/html"));
  if (!fresh) return;
  freshData = fresh;
  document.getElementById("graph-data").textContent = JSON.stringify(fresh);
});

/** The data a live refresh just brought, once (or null). */
function takeFreshData() {
  const data = freshData;
  freshData = null;
  return data;
}

function cssValue(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function stylesheet() {
  const ink = cssValue("--ink", "#1b1f24");
  const evaluation = (label, border, dashes) => {
    const style = {
      "background-color": cssValue(`--eval-${label}`, "#eceae4"),
      "border-color": cssValue(`--eval-${label}-line`, ink),
      "border-style": border,
    };
    if (dashes) style["border-dash-pattern"] = dashes; // long dashes, so they never pass for dots
    return { selector: `node[evaluation = "${label}"]`, style };
  };
  return [
    {
      selector: "node",
      style: {
        shape: "rectangle",
        width: 200,
        height: 84,
        "background-color": "#eceae4",
        "border-width": 3,
        "border-color": cssValue("--ink-soft", "#4a5360"),
        label: "data(label)",
        "text-wrap": "wrap",
        "text-max-width": 180,
        "text-valign": "center",
        "text-halign": "center",
        "font-family": getComputedStyle(document.body).fontFamily,
        "font-size": 14,
        color: ink,
        // Labels too small to read are not drawn at all, which keeps a zoomed-out big map fast.
        "min-zoomed-font-size": 7,
      },
    },
    {
      selector: 'node[kind = "thesis"]',
      style: {
        shape: "round-rectangle",
        width: 250,
        height: 110,
        "border-width": 5,
        "font-size": 15,
        "font-weight": "bold",
        "text-max-width": 226,
      },
    },
    // After the defaults' :selected colours, so a selected claim keeps its evaluation colour.
    evaluation("in", "solid"),
    evaluation("out", "dashed", [12, 6]),
    evaluation("undecided", "dotted"),
    {
      selector: "node:selected",
      style: {
        "underlay-color": cssValue("--focus", "#f4a300"),
        "underlay-opacity": 0.6,
        "underlay-padding": 9,
        "underlay-shape": "round-rectangle",
      },
    },
    {
      selector: "edge",
      style: {
        width: 2,
        "curve-style": "straight",
        "line-color": cssValue("--supports", "#1e7a46"),
        "target-arrow-color": cssValue("--supports", "#1e7a46"),
        "target-arrow-shape": "triangle",
        "arrow-scale": 1.3,
      },
    },
    {
      selector: 'edge[kind = "opposes"]',
      style: {
        "line-color": cssValue("--opposes", "#b5470b"),
        "target-arrow-color": cssValue("--opposes", "#b5470b"),
        "line-style": "dashed",
        "line-dash-pattern": [7, 4],
        "target-arrow-shape": "tee",
      },
    },
    { selector: ".hidden", style: { display: "none" } },
  ];
}

function elements(data) {
  return [
    ...data.nodes.map((node) => ({ group: "nodes", data: node })),
    ...data.edges.map((edge) => ({ group: "edges", data: edge, selectable: false })),
  ];
}

function markReady() {
  // Ready once the laid-out graph has been painted: two frames after the layout stops.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      container.dataset.readyAt = String(performance.now());
      container.dispatchEvent(new CustomEvent("warrant:graph-ready", { bubbles: true }));
    }),
  );
}

function draw(data) {
  container.querySelector(".graph-fallback")?.remove();
  // Only now is the box a picture; without this script it holds a readable note instead.
  container.setAttribute("role", "img");
  container.setAttribute("aria-label", container.dataset.label);
  const big = data.nodes.length > BIG_GRAPH;
  const cy = cytoscape({
    container,
    elements: elements(data),
    style: stylesheet(),
    layout: { name: "preset", fit: false },
    minZoom: 0.005, // a 1,000-claim map is about 100 times wider than the canvas
    maxZoom: 2.5,
    boxSelectionEnabled: false,
    autoungrabify: true,
    selectionType: "single",
    textureOnViewport: big,
    hideEdgesOnViewport: big,
    motionBlur: false,
  });
  return cy;
}

// ------------------------------------------------------------------ views

function readableView(cy, eles, anchor) {
  // Fit `eles`; when that makes the words unreadable (a wide map), show them at a readable size
  // from the top instead, centred on `anchor` (a thesis). "Zoom to fit" still shows everything.
  cy.fit(eles, PADDING);
  if (cy.zoom() >= READABLE_ZOOM) return;
  const box = anchor && anchor.nonempty() ? anchor.boundingBox() : eles.boundingBox();
  cy.zoom(READABLE_ZOOM);
  cy.pan({ x: cy.width() / 2 - ((box.x1 + box.x2) / 2) * READABLE_ZOOM, y: PADDING - box.y1 * READABLE_ZOOM });
}

const homeView = (cy) => readableView(cy, cy.elements(), cy.nodes('[kind = "thesis"]').first());

let homePositions = new Map();
const remember = (cy) => {
  homePositions = new Map(cy.nodes().map((node) => [node.id(), { ...node.position() }]));
};

// ------------------------------------------------------------------ selecting a claim

let origin = null; // the list link a keyboard user came from, to return to after reading

const listLink = (claimId) => list()?.querySelector(`a[data-claim="${claimId}"]`) ?? null;

function markCurrent(claimId) {
  list()?.querySelector('a[aria-current="true"]')?.removeAttribute("aria-current");
  listLink(claimId)?.setAttribute("aria-current", "true");
}

async function selectClaim(cy, claimId, { fromList }) {
  const node = cy.$id(String(claimId));
  if (node.empty()) return;
  cy.$(":selected").unselect();
  node.select();
  if (fromList) {
    // Bring the claim into view at a readable size.
    cy.zoom(Math.max(cy.zoom(), READABLE_ZOOM));
    cy.center(node);
  }
  markCurrent(claimId);
  const url = `${container.dataset.summaryPrefix}${claimId}/`;
  if (!window.htmx) {
    window.location.assign(url); // htmx failed to load: the summary is a page of its own too
    return;
  }
  await htmx.ajax("GET", url, { target: "#claim-summary", swap: "innerHTML" });
  if (fromList) document.querySelector("#claim-summary .summary-text")?.focus();
}

// ------------------------------------------------------------------ focusing on a thesis

let focused = ""; // the thesis in focus, or "" for all

function showInList(visibleIds) {
  for (const item of list()?.children ?? []) {
    const link = item.querySelector("a[data-claim]");
    item.hidden = visibleIds !== null && Boolean(link) && !visibleIds.has(link.dataset.claim);
  }
}

/** The note under the toolbar: the map's counts (a live region), or while a thesis is in focus, what is shown. */
function describeFocus(cy) {
  const counts = document.getElementById("graph-counts");
  const focusNote = document.getElementById("graph-focus-note");
  if (!counts || !focusNote) return;
  counts.hidden = Boolean(focused);
  focusNote.hidden = !focused;
  if (!focused) return;
  const thesis = cy.$id(focused);
  const shown = cy.nodes().not(".hidden").length;
  focusNote.textContent =
    `Showing ${shown} of ${cy.nodes().length} claims: the thesis “${thesis.data("label")}” ` +
    "and every claim that leads to it.";
}

async function focusOn(cy, thesisId) {
  focused = thesisId;
  if (!thesisId) {
    cy.batch(() => {
      cy.elements().removeClass("hidden");
      cy.nodes().positions((node) => homePositions.get(node.id()));
    });
    homeView(cy);
    showInList(null);
    describeFocus(cy);
    return;
  }
  const thesis = cy.$id(thesisId);
  const kept = thesis.union(thesis.predecessors());
  cy.batch(() => {
    cy.elements().addClass("hidden");
    kept.removeClass("hidden");
  });
  showInList(new Set(kept.nodes().map((node) => node.id())));
  describeFocus(cy);
  await layOut(kept);
  readableView(cy, kept, thesis);
}

// ------------------------------------------------------------------ following the live refresh

/** Bring the drawing up to date with a fresh #graph-data: add, remove and update elements; lay out again if the shape changed. */
async function follow(cy, data) {
  const wanted = new Map();
  for (const node of data.nodes) wanted.set(node.id, { group: "nodes", data: node });
  for (const edge of data.edges) wanted.set(edge.id, { group: "edges", data: edge, selectable: false });
  let moved = false;
  cy.batch(() => {
    for (const element of cy.elements().toArray()) {
      const next = wanted.get(element.id());
      const ends = next?.group === "edges" ? next.data : null;
      const relinked = ends && (element.data("source") !== ends.source || element.data("target") !== ends.target);
      if (!element.removed() && (!next || relinked)) {
        element.remove();
        moved = true;
      }
    }
    for (const [id, next] of wanted) {
      const element = cy.getElementById(id);
      if (element.empty()) {
        cy.add(next);
        moved = true;
      } else {
        element.data(next.data);
      }
    }
  });
  if (moved && cy.nodes().length) {
    await layOut(cy.elements());
    remember(cy);
    if (focused && cy.$id(focused).empty()) {
      const select = document.getElementById("graph-focus");
      if (select) select.value = "";
      await focusOn(cy, ""); // the thesis in focus is gone
    } else if (focused) {
      await focusOn(cy, focused);
    }
  }
}

// ------------------------------------------------------------------ starting

async function start() {
  const data = readData();
  if (!container || !data || typeof cytoscape !== "function") return;
  if (data.nodes.length === 0) {
    markReady();
    // An empty map is drawn once the live refresh brings its first claims.
    document.addEventListener("htmx:afterSettle", function firstClaims() {
      if (!takeFreshData()?.nodes.length) return;
      document.removeEventListener("htmx:afterSettle", firstClaims);
      start();
    });
    return;
  }
  const cy = draw(data);
  graph = cy;
  container.dataset.layoutStart = String(performance.now());
  await layOut(cy.elements());
  container.dataset.layoutEnd = String(performance.now());
  remember(cy);
  homeView(cy);
  markReady();
  document.getElementById("graph-controls")?.removeAttribute("hidden");

  cy.on("tap", "node", (event) => {
    origin = null;
    selectClaim(cy, event.target.id(), { fromList: false });
  });
  cy.on("mouseover", "node", (event) => {
    container.title = event.target.data("text");
    container.classList.add("pointing");
  });
  cy.on("mouseout", "node", () => {
    container.title = "";
    container.classList.remove("pointing");
  });

  // Delegated from the document: the live refresh may replace the list's contents.
  // Enter on a focused link fires a click too, so this serves mouse and keyboard alike.
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("#graph-list a[data-claim]");
    if (link) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault(); // a modified click still opens the claim page in a new tab
      origin = link;
      selectClaim(cy, link.dataset.claim, { fromList: true });
      return;
    }
    const back = event.target.closest?.("#claim-summary [data-graph-back]");
    const to = back && (origin?.isConnected ? origin : listLink(back.dataset.graphBack));
    if (to) {
      event.preventDefault();
      to.focus();
    }
  });
  document.getElementById("graph-fit")?.addEventListener("click", () => cy.fit(cy.elements().not(".hidden"), PADDING));
  const focusSelect = document.getElementById("graph-focus");
  focusSelect?.addEventListener("change", () => focusOn(cy, focusSelect.value));

  // After a live refresh: follow the fresh data, and put back what this page added to the list and note.
  document.addEventListener("htmx:afterSettle", async () => {
    const fresh = takeFreshData();
    if (fresh) await follow(cy, fresh);
    const current = cy.$(":selected");
    if (current.nonempty()) markCurrent(current.id());
    if (focused) showInList(new Set(cy.nodes().not(".hidden").map((node) => node.id())));
    describeFocus(cy);
  });
}

start();
