/* Caret mode: selecting words from the keyboard.
 *
 * Focus the text and press C: a caret appears at the start of the first paragraph in view; arrows move
 * it, Shift+arrows select (with Ctrl or Alt: by word; Home and End: to the line's ends), and Escape
 * leaves. While caret mode is on, the text is marked data-live-hold, so a live refresh waits instead of
 * replacing the words under the caret; leaving sends "warrant:hold-released".
 */
import { docRoot, docWrap, elementOf, placeAt } from "./offsets.js";

let on = false;

export const caretOn = () => on;

const ARROWS = { ArrowLeft: "backward", ArrowRight: "forward", ArrowUp: "backward", ArrowDown: "forward" };

/** Whether `event` is a key that moves the caret. */
export const movesCaret = (event) => event.key in ARROWS || event.key === "Home" || event.key === "End";

/** Draw the caret where the selection's focus is, scrolling it into view. */
export function drawCaret() {
  const caret = document.getElementById("fake-caret");
  const sel = window.getSelection();
  if (!caret) return;
  if (!on || !sel || !sel.focusNode) {
    caret.hidden = true;
    return;
  }
  const range = document.createRange();
  range.setStart(sel.focusNode, sel.focusOffset);
  range.collapse(true);
  let rect = range.getClientRects()[0] || range.getBoundingClientRect();
  if (!rect || (rect.height === 0 && rect.top === 0)) rect = elementOf(sel.focusNode).getBoundingClientRect();
  caret.style.height = `${Math.max(rect.height, 16)}px`;
  placeAt(caret, rect.left, rect.top);
  if (rect.top < 0 || rect.bottom > window.innerHeight) {
    elementOf(sel.focusNode).scrollIntoView({ block: "nearest" });
    drawCaret();
  }
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

export function enterCaretMode() {
  const paragraph = firstVisibleParagraph();
  if (!paragraph) return;
  const text = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT).nextNode();
  const sel = window.getSelection();
  if (text) sel.collapse(text, 0);
  else sel.collapse(paragraph, 0);
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

/** Move or extend the selection for an arrow, Home or End key. */
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
  window.getSelection().modify(alter, direction, granularity);
  drawCaret();
}
