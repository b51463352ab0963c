/* How Warrant lays out a map's graph: dagre's layered layout, theses on top, arrows pointing up at the
 * claim they bear on. Used by the graph page (graph.js) for its first drawing, for focusing on a
 * thesis, and when the live refresh adds or removes claims.
 *
 * bench/graph_layout.py compares settings by storing overrides as JSON in sessionStorage under
 * "warrant:graph-layout" before the page loads; nothing else reads that key.
 */

export const LAYOUT = Object.freeze({
  name: "dagre",
  rankDir: "BT", // relations point from a claim to the one it bears on: theses end up on top
  // longest-path puts every claim that bears on nothing (the theses) in the top layer and each other
  // claim just below the lowest claim it bears on. network-simplex shortens edges by sliding theses
  // with shallow trees down the page, and took half as long again on 1,000 claims (bench/graph_layout.py).
  ranker: "longest-path",
  nodeSep: 24,
  rankSep: 64,
  edgeSep: 8,
  animate: false,
  fit: false, // the caller frames the result
});

function benchmarkOverrides() {
  try {
    return JSON.parse(sessionStorage.getItem("warrant:graph-layout") || "{}");
  } catch {
    return {};
  }
}

const options = Object.freeze({ ...LAYOUT, ...benchmarkOverrides() });

/** Lay out `elements` (a Cytoscape collection, or the whole graph) and resolve once it has stopped. */
export function layOut(elements) {
  return new Promise((resolve) => {
    elements.layout({ ...options, stop: () => resolve(elements) }).run();
  });
}
