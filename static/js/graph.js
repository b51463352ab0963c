/* The graph page (templates/arguments/map_graph.html).
 *
 * Draws the map's claims and relations with Cytoscape.js (vendored, loaded before this module) and
 * shows a claim's summary beside the graph by asking the server for it through htmx. The data is the
 * page's json_script block (#graph-data).
 *
 * A map of any size stays readable because only part of it is drawn: the theses and the claims that
 * bear directly on them at first, then whatever the reader opens. Each claim hangs under the claim it
 * bears on (graph-layout.js), so "open" and "close" act on a subtree; a wide fan-out is laid out in
 * rows. Cytoscape holds only the claims shown, which keeps a 1,000-claim map quick to draw; the full
 * data stays here for finding claims by their words and for the list of claims below the graph.
 *
 * When the map changes, the list refreshes itself (templates/_live_region.html); htmx leaves every
 * <script> of a fresh page out of what it swaps in, so the graph reads the fresh data block from the
 * same response and follows it, keeping what the reader had opened.
 *
 * For the browser tests and the benchmarks (bench/graph_browser.py): #graph carries data-layout-start,
 * data-layout-end and data-ready-at (performance.now() values) and sends "warrant:graph-ready" once
 * the first drawing has been painted; `graph` below is the Cytoscape instance and `view` the state of
 * what is shown, for tests that import this module.
 */
import { GAP, MAX_PER_ROW, SIZES, packRows, treeLayout } from "./graph-layout.js";

const PADDING = 24;
// Labels are drawn at 14-15 px; at this zoom they stay at about 11 px on screen, the least that reads well.
const READABLE_ZOOM = 0.8;
// The least zoom the first view takes to get every thesis on screen: 10 px labels.
const LEGIBLE_ZOOM = 0.72;
const MAX_FIT_ZOOM = 1.25;

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

// ------------------------------------------------------------------ the map as a tree

/** What is shown, and the tree it is cut from. Exported for the browser tests. */
export const view = {
  data: { nodes: [], edges: [] },
  byId: new Map(),
  parent: new Map(), // id → the claim it hangs under (its first relation), absent for a top-level claim
  children: new Map(), // id → ids hanging under it, in the order the claims were added
  roots: [], // top-level ids: theses first
  expanded: new Set(), // ids whose children are shown
  thesis: "", // the thesis in focus ("" for all)
  centre: "", // the claim whose neighbourhood alone is shown ("" for the tree)
  selected: "",
  matches: [], // ids of the claims the last search found
  match: -1, // the one brought into view
  perRow: MAX_PER_ROW,
};

function setData(data) {
  for (const node of data.nodes) node.label ??= node.text; // the server sends a label only when it is shorter
  view.data = data;
  view.byId = new Map(data.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const edge of data.edges) {
    // A thesis always stands at the top, even when it bears on another thesis.
    if (parent.has(edge.source) || edge.source === edge.target) continue;
    if (view.byId.get(edge.source)?.kind === "thesis" || !view.byId.has(edge.target)) continue;
    parent.set(edge.source, edge.target);
  }
  // Relations may form a cycle; cut each where the walk up from a claim comes back to itself.
  const state = new Map();
  for (const node of data.nodes) {
    const path = [];
    let id = node.id;
    while (id !== undefined && !state.has(id)) {
      state.set(id, 1);
      path.push(id);
      id = parent.get(id);
    }
    if (id !== undefined && state.get(id) === 1) parent.delete(id);
    for (const walked of path) state.set(walked, 2);
  }
  const children = new Map();
  for (const node of data.nodes) {
    const up = parent.get(node.id);
    if (up === undefined) continue;
    if (!children.has(up)) children.set(up, []);
    children.get(up).push(node.id);
  }
  view.parent = parent;
  view.children = children;
  const tops = data.nodes.filter((node) => !parent.has(node.id));
  view.roots = [...tops.filter((n) => n.kind === "thesis"), ...tops.filter((n) => n.kind !== "thesis")].map(
    (n) => n.id,
  );
  for (const id of [...view.expanded]) if (!view.byId.has(id)) view.expanded.delete(id);
  view.matches = view.matches.filter((id) => view.byId.has(id));
}

const kidsOf = (id) => view.children.get(id) ?? [];

/** The first level: every thesis open (or every top-level claim, in a map without theses). */
function firstLevel() {
  const theses = view.roots.filter((id) => view.byId.get(id).kind === "thesis");
  return new Set(theses.length ? theses : view.roots);
}

function ancestors(id) {
  const chain = [];
  for (let up = view.parent.get(id); up !== undefined; up = view.parent.get(up)) chain.push(up);
  return chain;
}

const rootOf = (id) => ancestors(id).at(-1) ?? id;

/** Every claim under `id` in the tree, `id` included. */
function subtree(id) {
  const found = [id];
  for (let i = 0; i < found.length; i += 1) found.push(...kidsOf(found[i]));
  return found;
}

/** Positions of the claims to draw: the open part of the tree, or one claim's neighbourhood. */
function arrange() {
  if (view.centre) return neighbourhoodLayout(view.centre);
  return treeLayout({
    roots: view.thesis ? [view.thesis] : view.roots,
    childrenShown: (id) => (view.expanded.has(id) ? kidsOf(id) : []),
    kindOf: (id) => view.byId.get(id).kind,
    perRow: view.perRow,
    aspect: container.clientWidth / Math.max(1, container.clientHeight),
  });
}

/** A claim with every claim it bears on above it and every claim bearing on it below, in rows. */
function neighbourhoodLayout(id) {
  const above = [];
  const below = [];
  for (const edge of view.data.edges) {
    if (edge.source === id && edge.target !== id && !above.includes(edge.target)) above.push(edge.target);
    if (edge.target === id && edge.source !== id && !below.includes(edge.source)) below.push(edge.source);
  }
  const kindOf = (claim) => view.byId.get(claim).kind;
  const positions = treeLayout({
    roots: [id],
    childrenShown: (claim) => (claim === id ? below.filter((b) => !above.includes(b)) : []),
    kindOf,
    perRow: view.perRow,
  });
  const rows = packRows(
    above.map((claim) => ({ id: claim, ...SIZES[kindOf(claim)] })),
    view.perRow,
  );
  let bottom = -SIZES[kindOf(id)].h / 2 - 56;
  for (const row of rows.reverse()) {
    let x = -row.w / 2;
    for (const box of row.items) {
      positions.set(box.id, { x: x + box.w / 2, y: bottom - row.h / 2 });
      x += box.w + GAP;
    }
    bottom -= row.h + 32;
  }
  return positions;
}

// ------------------------------------------------------------------ drawing

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
        width: SIZES.claim.w,
        height: SIZES.claim.h,
        "background-color": "#eceae4",
        "border-width": 3,
        "border-color": cssValue("--ink-soft", "#4a5360"),
        label: "data(shown)",
        "text-wrap": "wrap",
        "text-max-width": SIZES.claim.w - 16,
        "text-valign": "center",
        "text-halign": "center",
        "font-family": getComputedStyle(document.body).fontFamily,
        "font-size": 14,
        "line-height": 1.15,
        color: ink,
        // Labels too small to read are not drawn at all, which keeps a zoomed-out big map fast.
        "min-zoomed-font-size": 7,
      },
    },
    {
      selector: 'node[kind = "thesis"]',
      style: {
        shape: "round-rectangle",
        width: SIZES.thesis.w,
        height: SIZES.thesis.h,
        "border-width": 5,
        "font-size": 15,
        "font-weight": "bold",
        "text-max-width": SIZES.thesis.w - 20,
      },
    },
    // After the defaults' :selected colours, so a selected claim keeps its evaluation colour.
    evaluation("holds", "solid"),
    evaluation("challenged", "dashed", [12, 6]),
    evaluation("contested", "dotted"),
    evaluation("unexamined", "solid"),
    evaluation("background", "solid"),
    {
      selector: "node.match",
      style: {
        "underlay-color": cssValue("--accent", "#2456a6"),
        "underlay-opacity": 0.45,
        "underlay-padding": 7,
        "underlay-shape": "round-rectangle",
      },
    },
    {
      selector: "node:selected",
      style: {
        "underlay-color": cssValue("--focus", "#f4a300"),
        "underlay-opacity": 0.75,
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
    // A second relation of a claim (it hangs under its first): drawn lighter, so the tree stays legible.
    { selector: "edge[?cross]", style: { opacity: 0.45, "curve-style": "bezier" } },
  ];
}

/** A node's label: its words, and how many claims under it are not shown yet. */
function shownLabel(id) {
  const node = view.byId.get(id);
  const hidden = view.centre || view.expanded.has(id) ? 0 : kidsOf(id).length;
  return hidden ? `${node.label}\n▾ ${hidden} more below` : node.label;
}

/** Make Cytoscape hold exactly the claims in `positions`, where they belong, and the relations between them. */
function sync(cy, positions) {
  cy.batch(() => {
    cy.nodes()
      .filter((node) => !positions.has(node.id()))
      .remove();
    const matches = new Set(view.matches);
    const added = [];
    for (const [id, position] of positions) {
      const data = { ...view.byId.get(id), shown: shownLabel(id) };
      const node = cy.getElementById(id);
      const classes = matches.has(id) ? ["match"] : [];
      if (node.empty()) {
        added.push({ group: "nodes", data, position: { ...position }, classes, selected: id === view.selected });
        continue;
      }
      if (node.data("shown") !== data.shown || node.data("evaluation") !== data.evaluation || node.data("text") !== data.text)
        node.data(data);
      node.position(position);
      if (node.hasClass("match") !== matches.has(id)) node.toggleClass("match", matches.has(id));
    }
    const wanted = new Map();
    for (const edge of view.data.edges) {
      if (!positions.has(edge.source) || !positions.has(edge.target)) continue;
      wanted.set(edge.id, { ...edge, cross: view.parent.get(edge.source) !== edge.target });
    }
    cy.edges()
      .filter((edge) => {
        const next = wanted.get(edge.id());
        return !next || next.source !== edge.data("source") || next.target !== edge.data("target");
      })
      .remove();
    for (const [id, data] of wanted) {
      const edge = cy.getElementById(id);
      if (edge.empty()) added.push({ group: "edges", data, selectable: false });
      else if (edge.data("kind") !== data.kind || edge.data("cross") !== data.cross) edge.data(data);
    }
    // One call for everything new: adding elements one by one costs far more on a big map.
    if (added.length) cy.add(added);
    const selected = cy.$(":selected");
    if (selected.nonempty() && selected.id() !== view.selected) selected.unselect();
    if (view.selected) cy.getElementById(view.selected).select();
  });
}

/** Lay out and draw what is shown, keeping `anchor` (an id) where it was on screen. */
function render(cy, anchor = "") {
  const before = anchor && cy.getElementById(anchor).nonempty() ? cy.getElementById(anchor).renderedPosition() : null;
  sync(cy, arrange());
  if (before) {
    const after = cy.getElementById(anchor).renderedPosition();
    cy.panBy({ x: before.x - after.x, y: before.y - after.y });
  }
  describe(cy);
  updateButtons(cy);
}

function markReady() {
  // Ready once the drawing has been painted: two frames after it was laid out.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      container.dataset.readyAt = String(performance.now());
      container.dispatchEvent(new CustomEvent("warrant:graph-ready", { bubbles: true }));
    }),
  );
}

function create() {
  container.querySelector(".graph-fallback")?.remove();
  // Only now is the box a drawing the keyboard can work; without this script it holds a readable note instead.
  container.setAttribute("role", "application");
  container.setAttribute("aria-roledescription", "argument graph");
  container.setAttribute("aria-label", container.dataset.label);
  container.setAttribute("aria-describedby", "graph-keys");
  container.tabIndex = 0;
  return cytoscape({
    container,
    elements: [],
    style: stylesheet(),
    layout: { name: "preset", fit: false },
    minZoom: 0.02,
    maxZoom: 2.5,
    boxSelectionEnabled: false,
    autoungrabify: true,
    selectionType: "single",
    motionBlur: false,
  });
}

/** How many boxes fit side by side at a readable size in the canvas (2 to 8). */
function fittingPerRow() {
  const slots = Math.floor((container.clientWidth / READABLE_ZOOM - 2 * PADDING + GAP) / (SIZES.claim.w + GAP));
  return Math.max(2, Math.min(MAX_PER_ROW, slots));
}

// ------------------------------------------------------------------ views

/*
 * Boxes come from the positions and the fixed node sizes, not from Cytoscape's boundingBox(): that
 * measures every label and edge first, which took over a second on 1,000 claims.
 */
function modelBox(nodes) {
  const box = { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
  nodes.forEach((node) => {
    const { w, h } = SIZES[node.data("kind")] ?? SIZES.claim;
    const { x, y } = node.position();
    box.x1 = Math.min(box.x1, x - w / 2);
    box.x2 = Math.max(box.x2, x + w / 2);
    box.y1 = Math.min(box.y1, y - h / 2);
    box.y2 = Math.max(box.y2, y + h / 2);
  });
  return { ...box, w: box.x2 - box.x1, h: box.y2 - box.y1 };
}

function renderedBox(cy, nodes) {
  const box = modelBox(nodes);
  const zoom = cy.zoom();
  const pan = cy.pan();
  const x1 = box.x1 * zoom + pan.x;
  const y1 = box.y1 * zoom + pan.y;
  return { x1, y1, x2: x1 + box.w * zoom, y2: y1 + box.h * zoom, w: box.w * zoom, h: box.h * zoom };
}

/** Show all of `nodes`, as large as fits (up to `most`). */
function fit(cy, nodes, most = cy.maxZoom()) {
  if (nodes.empty()) return;
  const box = modelBox(nodes);
  const zoom = Math.max(
    cy.minZoom(),
    Math.min(most, (cy.width() - 2 * PADDING) / Math.max(box.w, 1), (cy.height() - 2 * PADDING) / Math.max(box.h, 1)),
  );
  cy.viewport({
    zoom,
    pan: { x: cy.width() / 2 - ((box.x1 + box.x2) / 2) * zoom, y: cy.height() / 2 - ((box.y1 + box.y2) / 2) * zoom },
  });
}

/** Show everything drawn if it reads at that size; otherwise the top of it at a readable size. */
function homeView(cy) {
  const shown = cy.nodes();
  if (shown.empty()) return;
  fit(cy, shown, MAX_FIT_ZOOM);
  if (cy.zoom() >= READABLE_ZOOM) return;
  const box = modelBox(shown);
  const first = cy.getElementById(view.thesis || view.centre || view.roots[0]);
  // Zoom out a little, never past legible, if that brings every top-level claim on screen.
  const tops = shown.filter((node) => !view.parent.has(node.id()) || node.id() === view.centre);
  const reach = tops.nonempty() ? modelBox(tops).y2 - box.y1 : 0;
  const zoom = Math.max(LEGIBLE_ZOOM, Math.min(READABLE_ZOOM, (cy.height() - 2 * PADDING) / reach || READABLE_ZOOM));
  const middle = box.w * zoom <= cy.width() || first.empty() ? (box.x1 + box.x2) / 2 : first.position("x");
  const top = view.centre ? modelBox(first).y1 - 200 : box.y1;
  cy.viewport({ zoom, pan: { x: cy.width() / 2 - middle * zoom, y: PADDING - Math.max(box.y1, top) * zoom } });
}

/** Bring `nodes` into view at a readable size, moving as little as possible; near the top, centred on `focus`, if they do not fit. */
function reveal(cy, nodes, focus) {
  if (cy.zoom() < READABLE_ZOOM) cy.zoom({ level: READABLE_ZOOM, renderedPosition: focus.renderedPosition() });
  const box = renderedBox(cy, nodes);
  const [w, h] = [cy.width(), cy.height()];
  if (box.w > w - 2 * PADDING || box.h > h - 2 * PADDING) {
    const own = renderedBox(cy, focus);
    cy.panBy({ x: w / 2 - (own.x1 + own.x2) / 2, y: PADDING - own.y1 + Math.min(40, h / 6) });
    return;
  }
  const dx = box.x1 < PADDING ? PADDING - box.x1 : box.x2 > w - PADDING ? w - PADDING - box.x2 : 0;
  const dy = box.y1 < PADDING ? PADDING - box.y1 : box.y2 > h - PADDING ? h - PADDING - box.y2 : 0;
  if (dx || dy) cy.panBy({ x: dx, y: dy });
}

// ------------------------------------------------------------------ opening and closing

function setOpen(cy, id, open) {
  if (!kidsOf(id).length || view.expanded.has(id) === open) return;
  if (open) view.expanded.add(id);
  else for (const under of subtree(id)) view.expanded.delete(under);
  render(cy, id);
  const node = cy.getElementById(id);
  if (open) reveal(cy, node.union(cy.nodes().filter((n) => view.parent.get(n.id()) === id)), node);
}

/** Open the path down to `id`, leaving a neighbourhood or a thesis focus that would hide it. */
function showClaim(cy, id) {
  if (view.centre && cy.getElementById(id).empty()) view.centre = "";
  if (view.thesis && rootOf(id) !== view.thesis) setThesis("");
  for (const up of ancestors(id)) view.expanded.add(up);
  render(cy);
  centre(cy, cy.getElementById(id));
}

/** Put `node` in the middle of the canvas at a readable size. */
function centre(cy, node) {
  const zoom = Math.max(cy.zoom(), READABLE_ZOOM);
  const { x, y } = node.position();
  cy.viewport({ zoom, pan: { x: cy.width() / 2 - x * zoom, y: cy.height() / 2 - y * zoom } });
}

function setThesis(id) {
  view.thesis = id;
  const select = document.getElementById("graph-focus");
  if (select && select.value !== id) select.value = id;
  showInList(id ? new Set(subtree(id)) : null);
}

function showInList(visibleIds) {
  for (const item of list()?.children ?? []) {
    const link = item.querySelector("a[data-claim]");
    item.hidden = visibleIds !== null && Boolean(link) && !visibleIds.has(link.dataset.claim);
  }
}

// ------------------------------------------------------------------ selecting a claim

let origin = null; // the list link a keyboard user came from, to return to after reading

const listLink = (claimId) => list()?.querySelector(`a[data-claim="${claimId}"]`) ?? null;

function markCurrent(claimId) {
  list()?.querySelector('a[aria-current="true"]')?.removeAttribute("aria-current");
  if (claimId) listLink(claimId)?.setAttribute("aria-current", "true");
}

function select(cy, claimId) {
  view.selected = claimId;
  cy.$(":selected").unselect();
  cy.getElementById(claimId).select();
  markCurrent(claimId);
  updateButtons(cy);
}

async function showSummary(claimId, { focus }) {
  const url = `${container.dataset.summaryPrefix}${claimId}/`;
  if (!window.htmx) {
    window.location.assign(url); // htmx failed to load: the summary is a page of its own too
    return;
  }
  await htmx.ajax("GET", url, { target: "#claim-summary", swap: "innerHTML" });
  if (focus) document.querySelector("#claim-summary .summary-text")?.focus();
}

// ------------------------------------------------------------------ finding a claim by its words

function find(cy, query) {
  const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  view.matches = words.length
    ? view.data.nodes
        .filter((node) => {
          const text = node.text.toLocaleLowerCase();
          return words.every((word) => text.includes(word));
        })
        .map((node) => node.id)
    : [];
  view.match = -1;
  if (view.matches.length) nextMatch(cy);
  else {
    render(cy);
    announceFind(words.length ? `No claim has the words “${query.trim()}”.` : "");
  }
}

function nextMatch(cy) {
  if (!view.matches.length) return;
  view.match = (view.match + 1) % view.matches.length;
  const id = view.matches[view.match];
  showClaim(cy, id);
  select(cy, id);
  showSummary(id, { focus: false });
  const n = view.matches.length;
  announceFind(
    n === 1
      ? `1 claim matches: “${view.byId.get(id).label}”.`
      : `${n} claims match; showing ${view.match + 1} of ${n}: “${view.byId.get(id).label}”.`,
  );
  const next = document.getElementById("graph-find-next");
  if (next) next.hidden = n < 2;
}

function announceFind(text) {
  const status = document.getElementById("graph-find-status");
  if (status) status.textContent = text;
  const next = document.getElementById("graph-find-next");
  if (next && !text) next.hidden = true;
}

// ------------------------------------------------------------------ what is shown, in words

function describe(cy) {
  const counts = document.getElementById("graph-counts");
  const note = document.getElementById("graph-focus-note");
  if (!counts || !note) return;
  const shown = cy.nodes().length;
  const total = view.data.nodes.length;
  let text = "";
  if (view.centre) {
    text = `Showing “${view.byId.get(view.centre).label}” with the claims it bears on and the claims bearing on it.`;
  } else if (view.thesis) {
    text =
      `Showing ${shown} of ${total} claims: the thesis “${view.byId.get(view.thesis).label}” ` +
      `and the ${subtree(view.thesis).length - 1} claims under it, as far as they are open.`;
  } else if (shown < total) {
    text = `Showing ${shown} of ${total} claims; open a claim to see the claims under it.`;
  }
  counts.hidden = Boolean(view.centre || view.thesis);
  note.hidden = !text;
  note.textContent = counts.hidden || !text ? text : `· ${text}`;
}

function updateButtons(cy) {
  const id = view.selected && cy.getElementById(view.selected).nonempty() ? view.selected : "";
  const toggle = document.getElementById("graph-toggle");
  const around = document.getElementById("graph-neighbours");
  if (toggle) {
    const has = Boolean(id) && kidsOf(id).length > 0 && !view.centre;
    toggle.disabled = !has;
    toggle.textContent = has && view.expanded.has(id) ? "Close this claim" : "Open this claim";
    toggle.setAttribute("aria-expanded", String(has && view.expanded.has(id)));
  }
  if (around) {
    around.disabled = !id && !view.centre;
    around.setAttribute("aria-pressed", String(Boolean(view.centre)));
    around.textContent = view.centre ? "Back to the tree" : "Only its neighbours";
  }
}

// ------------------------------------------------------------------ the keyboard on the drawing

function siblings(id) {
  if (view.centre) return nodesInOrder();
  const up = view.parent.get(id);
  return up === undefined ? (view.thesis ? [view.thesis] : view.roots) : kidsOf(up);
}

function nodesInOrder() {
  return graph
    .nodes()
    .sort((a, b) => a.position("y") - b.position("y") || a.position("x") - b.position("x"))
    .map((node) => node.id());
}

function onKey(cy, event) {
  if (event.target !== container || event.altKey || event.ctrlKey || event.metaKey) return;
  const id = view.selected && cy.getElementById(view.selected).nonempty() ? view.selected : "";
  let next = "";
  switch (event.key) {
    case "ArrowUp":
      next = id ? (view.centre ? "" : view.parent.get(id)) : "";
      if (view.centre && id) next = nodesInOrder()[Math.max(0, nodesInOrder().indexOf(id) - 1)];
      break;
    case "ArrowDown":
      if (view.centre && id) {
        const order = nodesInOrder();
        next = order[Math.min(order.length - 1, order.indexOf(id) + 1)];
      } else next = id && view.expanded.has(id) ? kidsOf(id)[0] : "";
      break;
    case "ArrowLeft":
    case "ArrowRight": {
      const row = siblings(id).filter((s) => cy.getElementById(s).nonempty());
      const at = row.indexOf(id);
      next = row[Math.max(0, Math.min(row.length - 1, at + (event.key === "ArrowLeft" ? -1 : 1)))];
      break;
    }
    case "Home":
      next = view.centre || view.thesis || view.roots[0];
      break;
    case "Enter":
    case " ":
      if (!id) next = view.centre || view.thesis || view.roots[0];
      else if (!view.centre) setOpen(cy, id, !view.expanded.has(id));
      break;
    case "Escape":
      if (!view.centre) return;
      setCentre(cy, "");
      break;
    case "/":
      document.getElementById("graph-find-input")?.focus();
      break;
    default:
      return;
  }
  event.preventDefault();
  if (next && next !== id && cy.getElementById(next).nonempty()) {
    select(cy, next);
    const node = cy.getElementById(next);
    reveal(cy, node, node);
    showSummary(next, { focus: false });
  }
  updateButtons(cy);
  announce(view.selected);
}

/** Say where the keyboard is on the drawing: the claim, its verdict, and what hangs under it. */
function announce(id) {
  const region = document.getElementById("graph-announce");
  const node = view.byId.get(id);
  if (!region || !node) return;
  const under = kidsOf(id).length;
  const state = !under ? "nothing under it" : `${under} under it, ${view.expanded.has(id) ? "open" : "closed"}`;
  const verdict = view.data.verdicts?.[node.evaluation] ?? node.evaluation;
  region.textContent = `${node.kind === "thesis" ? "Thesis" : "Claim"}: ${node.label} (${verdict}; ${state}).`;
}

function setCentre(cy, id) {
  const was = view.centre;
  view.centre = id;
  if (!id && was) {
    // Back in the tree, with the path to the claim open.
    for (const up of ancestors(was)) view.expanded.add(up);
    if (view.thesis && rootOf(was) !== view.thesis) setThesis("");
  }
  render(cy);
  const node = cy.getElementById(id || was);
  if (id) homeView(cy);
  else if (node.nonempty()) reveal(cy, node, node);
}

// ------------------------------------------------------------------ following the live refresh

function follow(cy, data) {
  setData(data);
  if (view.thesis && !view.byId.has(view.thesis)) setThesis("");
  else if (view.thesis) showInList(new Set(subtree(view.thesis)));
  if (view.centre && !view.byId.has(view.centre)) view.centre = "";
  if (view.selected && !view.byId.has(view.selected)) view.selected = "";
  for (const id of firstLevel()) view.expanded.add(id); // a new thesis shows its first level too
  render(cy);
}

// ------------------------------------------------------------------ starting

function start() {
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
  container.dataset.layoutStart = String(performance.now());
  const cy = create();
  graph = cy;
  setData(data);
  view.expanded = firstLevel();
  view.perRow = fittingPerRow();
  render(cy);
  homeView(cy);
  container.dataset.layoutEnd = String(performance.now());
  markReady();
  document.getElementById("graph-controls")?.removeAttribute("hidden");
  document.getElementById("graph-keys")?.removeAttribute("hidden");

  cy.on("tap", "node", (event) => {
    origin = null;
    const id = event.target.id();
    select(cy, id);
    if (view.centre && id !== view.centre) setCentre(cy, id);
    else if (!view.centre && !view.expanded.has(id)) setOpen(cy, id, true);
    showSummary(id, { focus: false });
  });
  cy.on("mouseover", "node", (event) => {
    container.title = event.target.data("text");
    container.classList.add("pointing");
  });
  cy.on("mouseout", "node", () => {
    container.title = "";
    container.classList.remove("pointing");
  });
  container.addEventListener("keydown", (event) => onKey(cy, event));
  container.addEventListener("focus", () => {
    if (!view.selected || cy.getElementById(view.selected).empty()) {
      const first = view.centre || view.thesis || view.roots[0];
      if (first) select(cy, first);
    }
    announce(view.selected);
  });

  // Delegated from the document: the live refresh may replace the list's contents.
  // Enter on a focused link fires a click too, so this serves mouse and keyboard alike.
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("#graph-list a[data-claim]");
    if (link) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault(); // a modified click still opens the claim page in a new tab
      origin = link;
      const id = link.dataset.claim;
      if (!view.byId.has(id)) return;
      showClaim(cy, id);
      select(cy, id);
      showSummary(id, { focus: true });
      return;
    }
    const back = event.target.closest?.("#claim-summary [data-graph-back]");
    const to = back && (origin?.isConnected ? origin : listLink(back.dataset.graphBack));
    if (to) {
      event.preventDefault();
      to.focus();
    }
  });

  const on = (id, type, handler) => document.getElementById(id)?.addEventListener(type, handler);
  on("graph-fit", "click", () => fit(cy, cy.nodes()));
  on("graph-focus", "change", (event) => {
    view.centre = "";
    setThesis(event.target.value);
    if (view.thesis) view.expanded.add(view.thesis);
    render(cy);
    homeView(cy);
  });
  on("graph-toggle", "click", () => {
    if (view.selected) setOpen(cy, view.selected, !view.expanded.has(view.selected));
  });
  on("graph-neighbours", "click", () => setCentre(cy, view.centre ? "" : view.selected));
  on("graph-open-all", "click", () => {
    view.centre = "";
    for (const [id, kids] of view.children) if (kids.length) view.expanded.add(id);
    render(cy);
    homeView(cy);
  });
  on("graph-close-all", "click", () => {
    view.centre = "";
    view.expanded = firstLevel();
    render(cy);
    homeView(cy);
  });
  on("graph-find", "submit", (event) => {
    event.preventDefault();
    find(cy, document.getElementById("graph-find-input").value);
  });
  on("graph-find-next", "click", () => nextMatch(cy));

  let resizing = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      const perRow = fittingPerRow();
      if (perRow === view.perRow) return;
      view.perRow = perRow;
      render(cy, view.selected);
    }, 200);
  });

  // After a live refresh: follow the fresh data, and put back what this page added to the list and note.
  document.addEventListener("htmx:afterSettle", () => {
    const fresh = takeFreshData();
    if (fresh) follow(cy, fresh);
    markCurrent(view.selected);
    if (view.thesis) showInList(new Set(subtree(view.thesis)));
    describe(cy);
  });
}

start();
