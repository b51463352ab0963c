/* How Warrant lays out a map's graph: as a tree of the claims currently shown, theses on top.
 *
 * Each claim hangs under the claim it bears on (its first relation; a further relation is drawn as a
 * line but does not move the claim). A claim's children are laid out in rows of at most `perRow`
 * boxes, so a claim with 40 replies makes five readable rows instead of one strip 9,000 px wide.
 * Theses (and claims that bear on nothing) are packed the same way. The layout is one pass over the
 * shown claims, so it costs next to nothing next to drawing them; dagre's layered layout took seconds
 * on 1,000 claims and could not wrap a wide fan-out.
 */

export const SIZES = Object.freeze({
  claim: { w: 200, h: 84 },
  thesis: { w: 250, h: 110 },
});
export const GAP = 24; // between boxes in a row
export const RANK_GAP = 48; // between a claim and its first row of children
export const ROW_GAP = 28; // between rows of children
export const MAX_PER_ROW = 8;

const size = (kind) => SIZES[kind] ?? SIZES.claim;

/**
 * Split `boxes` ({w, h}) into rows: at most `perRow` a row, and no wider than `perRow` claim boxes
 * side by side unless a single box is wider still.
 */
export function packRows(boxes, perRow, aspect = 0) {
  // Rows of claims that have claims open under them may grow wider, up to the shape of the canvas
  // (`aspect`, width over height), so a fully open map is a block rather than one tall column.
  const area = aspect ? boxes.reduce((sum, box) => sum + (box.w + GAP) * (box.h + ROW_GAP), 0) : 0;
  const limit = Math.max(perRow * (SIZES.claim.w + GAP) - GAP, Math.sqrt(area * aspect));
  const rows = [];
  let row = null;
  for (const box of boxes) {
    if (!row || row.items.length >= perRow || row.w + GAP + box.w > limit) {
      row = { items: [], w: -GAP, h: 0 };
      rows.push(row);
    }
    row.items.push(box);
    row.w += GAP + box.w;
    row.h = Math.max(row.h, box.h);
  }
  return rows;
}

/**
 * Positions for the shown claims: a Map of id → {x, y} (box centres).
 * `roots` are the top-level ids in order; `childrenShown(id)` lists the shown children of `id`;
 * `kindOf(id)` is "thesis" or "claim"; `aspect` is the canvas's width over its height.
 */
export function treeLayout({ roots, childrenShown, kindOf, perRow = MAX_PER_ROW, aspect = 0 }) {
  const boxes = new Map();

  // Sizes first, children before parents, without recursion (a deep chain must not overflow the stack).
  const order = [];
  const stack = [...roots];
  while (stack.length) {
    const id = stack.pop();
    order.push(id);
    for (const child of childrenShown(id)) stack.push(child);
  }
  for (let i = order.length - 1; i >= 0; i -= 1) {
    const id = order[i];
    const own = size(kindOf(id));
    const kids = childrenShown(id).map((child) => boxes.get(child));
    if (!kids.length) {
      boxes.set(id, { id, w: own.w, h: own.h, rows: [] });
      continue;
    }
    const rows = packRows(kids, perRow, aspect);
    const w = Math.max(own.w, ...rows.map((row) => row.w));
    const h = own.h + RANK_GAP + rows.reduce((sum, row) => sum + row.h, 0) + ROW_GAP * (rows.length - 1);
    boxes.set(id, { id, w, h, rows });
  }

  const positions = new Map();
  const place = (box, left, top) => {
    const own = size(kindOf(box.id));
    positions.set(box.id, { x: left + box.w / 2, y: top + own.h / 2 });
    let y = top + own.h + RANK_GAP;
    for (const row of box.rows) {
      let x = left + (box.w - row.w) / 2;
      for (const child of row.items) {
        place(child, x, y);
        x += child.w + GAP;
      }
      y += row.h + ROW_GAP;
    }
  };
  // Top-level claims are packed in rows like children, with a wider gap between their trees.
  let y = 0;
  for (const row of packRows(
    roots.map((id) => boxes.get(id)),
    perRow,
    aspect,
  )) {
    let x = -row.w / 2;
    for (const box of row.items) {
      place(box, x, y);
      x += box.w + GAP;
    }
    y += row.h + RANK_GAP * 1.25;
  }
  return positions;
}
