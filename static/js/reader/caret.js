/* Caret mode: selecting words from the keyboard.
 *
 * Focus the text and press C: a caret appears where the last selection or save left it, if that is in
 * view, otherwise at the start of the first paragraph in view; arrows move it, Shift+arrows select
 * (with Ctrl or Alt: by word; Home and End: to the line's ends), and Escape leaves. The caret never
 * leaves the text: a move that would take it out (ArrowDown on the last line walks into the annotation
 * list otherwise) is undone. While caret mode is on, the text is marked data-live-hold, so a live
 * refresh waits instead of replacing the words under the caret; leaving sends "warrant:hold-released".
 */
import { docRoot, docWrap, elementOf, placeAt } from "./offsets.js";

let on = false;

export const caretOn = () => on;

const ARROWS = { ArrowLeft: "backward", ArrowRight: "forward", ArrowUp: "backward", ArrowDown: "forward" };
const MARGIN = 24; // room kept between the caret and the window's top and bottom edges when scrolling

/** Whether `event` is a key that moves the caret. */
export const movesCaret = (event) => event.key in ARROWS || event.key === "Home" || event.key === "End";

/** Whether (node, offset) lies in the source's text. */
const inText = (node) => Boolean(node && docRoot()?.contains(node));

/** The screen box of the boundary point (node, offset): a collapsed range often has none (a line's
 * start, between paragraphs), so the character after it, or before it, stands in. */
function caretRect(node, offset) {
  const range = document.createRange();
  range.setStart(node, offset);
  range.collapse(true);
  let rect = range.getClientRects()[0];
  if (rect) return rect;
  if (node.nodeType === Node.TEXT_NODE) {
    if (offset < node.length) {
      range.setEnd(node, offset + 1);
      rect = range.getClientRects()[0];
      if (rect) return rect;
    }
    if (offset > 0) {
      range.setStart(node, offset - 1);
      range.setEnd(node, offset);
      const before = range.getClientRects()[0];
      if (before) return new DOMRect(before.right, before.top, 0, before.height);
    }
  } else {
    // Between elements: the first text after the point, else the element's own first line.
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    const child = node.childNodes[offset];
    walker.currentNode = child || node;
    const text = child?.nodeType === Node.TEXT_NODE ? child : walker.nextNode();
    if (text && text.length) {
      range.setStart(text, 0);
      range.setEnd(text, 1);
      rect = range.getClientRects()[0];
      if (rect) return rect;
    }
  }
  const box = elementOf(node).getBoundingClientRect();
  return new DOMRect(box.left, box.top, 0, Math.min(box.height, 20));
}

/** Draw the caret where the selection's focus is, scrolling the window (once) to keep it in view. */
export function drawCaret() {
  const caret = document.getElementById("fake-caret");
  const sel = window.getSelection();
  if (!caret) return;
  if (!on || !sel || !inText(sel.focusNode)) {
    caret.hidden = true;
    return;
  }
  let rect = caretRect(sel.focusNode, sel.focusOffset);
  let shift = 0;
  if (rect.top < MARGIN) shift = rect.top - MARGIN;
  else if (rect.bottom > window.innerHeight - MARGIN) shift = rect.bottom - window.innerHeight + MARGIN;
  if (shift) {
    window.scrollBy(0, shift);
    rect = caretRect(sel.focusNode, sel.focusOffset);
  }
  caret.style.height = `${Math.max(rect.height, 16)}px`;
  placeAt(caret, rect.left, rect.top);
}

function firstVisibleParagraph() {
  const paragraphs = Array.from(docRoot().querySelectorAll("p[data-o16]"));
  const top = (p) => p.getBoundingClientRect().top;
  return (
    paragraphs.find((p) => top(p) >= 0 && top(p) < window.innerHeight) ||
    paragraphs.find((p) => p.getBoundingClientRect().bottom > 0) ||
    paragraphs[0]
  );
}

/** Where the selection's focus is, if it is in the text and on screen (after a save, or a click). */
function focusInView(sel) {
  if (!sel || !sel.focusNode || !inText(sel.focusNode)) return false;
  const rect = caretRect(sel.focusNode, sel.focusOffset);
  return rect.bottom > 0 && rect.top < window.innerHeight;
}

export function enterCaretMode() {
  const sel = window.getSelection();
  if (focusInView(sel)) {
    sel.collapse(sel.focusNode, sel.focusOffset);
  } else {
    const paragraph = firstVisibleParagraph();
    if (!paragraph) return;
    const text = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT).nextNode();
    if (text) sel.collapse(text, 0);
    else sel.collapse(paragraph, 0);
  }
  on = true;
  const wrap = docWrap();
  wrap.classList.add("caret-mode");
  wrap.dataset.liveHold = "caret mode";
  drawCaret();
}

export function leaveCaretMode() {
  const was = on;
  on = false;
  const wrap = docWrap();
  if (wrap) {
    wrap.classList.remove("caret-mode");
    delete wrap.dataset.liveHold;
  }
  drawCaret();
  if (was) document.dispatchEvent(new CustomEvent("warrant:hold-released"));
}

/** Put a collapsed selection (the next caret's start) just after `node`'s last character. */
export function caretAfter(node) {
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  let last = null;
  for (let text = walker.nextNode(); text; text = walker.nextNode()) last = text;
  const sel = window.getSelection();
  if (last) sel.collapse(last, last.length);
  else sel.collapse(node, node.childNodes.length);
}

/** Move or extend the selection for an arrow, Home or End key, never out of the text. */
export function moveCaret(event) {
  const alter = event.shiftKey ? "extend" : "move";
  let granularity = "character";
  let direction = ARROWS[event.key];
  if (event.key === "Home" || event.key === "End") {
    granularity = "lineboundary";
    direction = event.key === "Home" ? "backward" : "forward";
  } else if (event.ctrlKey || event.altKey || event.metaKey) {
    granularity = "word";
  } else if (event.key === "ArrowUp" || event.key === "ArrowDown") {
    granularity = "line";
  }
  const sel = window.getSelection();
  const before = [sel.anchorNode, sel.anchorOffset, sel.focusNode, sel.focusOffset];
  sel.modify(alter, direction, granularity);
  if (!inText(sel.focusNode) || !inText(sel.anchorNode)) {
    // Past the first or last line: the text ends here, so the caret stays where it was.
    sel.setBaseAndExtent(...before);
  }
  drawCaret();
}
