/* Where a selection lies in the source's canonical text, in UTF-16 units.
 *
 * The server renders the canonical text so that the DOM text of .reader-doc is exactly the canonical
 * text, each <p> carrying data-o16 (its start in UTF-16 units). A selection boundary is therefore the
 * paragraph's data-o16 plus the length of a Range from the paragraph's start to the boundary;
 * Range.toString() counts UTF-16 units, like the offsets the server converts back (sources/selection.py).
 */

export const docWrap = () => document.getElementById("reader-doc");
export const docRoot = () => document.querySelector("#reader-doc .reader-doc");

/** Whether the viewer may annotate here (the server marks the text so only for annotators). */
export const annotatable = () => Boolean(docWrap()?.hasAttribute("data-annotatable"));

export function elementOf(node) {
  return node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
}

/** The UTF-16 offset in the canonical text of the boundary point (node, offset) inside `root`. */
export function offset16(root, node, offset) {
  const range = document.createRange();
  const paragraph = elementOf(node)?.closest("p[data-o16]");
  if (paragraph && root.contains(paragraph)) {
    range.setStart(paragraph, 0);
    range.setEnd(node, offset);
    return Number(paragraph.dataset.o16) + range.toString().length;
  }
  // Between paragraphs: the DOM text of the whole document is the canonical text, so count from its start.
  range.setStart(root, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

/**
 * The current selection, clamped to the document and trimmed of white space at both ends, or null:
 * {start, end} in UTF-16 units, the `exact` words and the `rect` they cover on screen.
 */
export function currentSelection() {
  const root = docRoot();
  const sel = window.getSelection();
  if (!root || !sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0).cloneRange();
  const whole = document.createRange();
  whole.selectNodeContents(root);
  if (range.compareBoundaryPoints(Range.END_TO_START, whole) >= 0) return null; // starts after the text
  if (range.compareBoundaryPoints(Range.START_TO_END, whole) <= 0) return null; // ends before it
  if (range.compareBoundaryPoints(Range.START_TO_START, whole) < 0) range.setStart(root, 0);
  if (range.compareBoundaryPoints(Range.END_TO_END, whole) > 0) range.setEnd(root, root.childNodes.length);
  const raw = range.toString();
  const start = offset16(root, range.startContainer, range.startOffset);
  const end = offset16(root, range.endContainer, range.endOffset);
  if (end - start !== raw.length) return null; // not a selection of the text itself
  const exact = raw.trim();
  if (!exact) return null;
  const lead = raw.length - raw.trimStart().length;
  const trail = raw.length - raw.trimEnd().length;
  return { start: start + lead, end: end - trail, exact, rect: range.getBoundingClientRect() };
}

/** Show `el` (absolutely positioned) at a point given in viewport coordinates. */
export function placeAt(el, viewportX, viewportY) {
  el.hidden = false;
  const host = el.offsetParent || document.body;
  const hostRect =
    host === document.body ? { left: -window.scrollX, top: -window.scrollY } : host.getBoundingClientRect();
  el.style.left = `${Math.max(4, viewportX - hostRect.left)}px`;
  el.style.top = `${Math.max(4, viewportY - hostRect.top)}px`;
}
