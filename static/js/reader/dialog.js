/* The annotate dialog: a modal <dialog> beside the selected words, whose form posts with htmx.
 *
 * htmx swaps in the new reader body (which closes the dialog) or, on error, the form with its messages
 * (the dialog stays). Without JavaScript the same form is a page of its own (GET .../annotate/).
 * The selection being annotated is kept while the dialog is open and put back when it closes, so that
 * Escape returns to the words (and to caret mode) where the reader left them.
 */
import { docRoot, docWrap } from "./offsets.js";

const MARGIN = 12; // between the dialog and the window's edges
const GAP = 10; // between the dialog and the words it annotates

let focusBack = null; // where focus returns when the dialog closes
let savedRange = null; // the selection being annotated, restored when the dialog is cancelled
let placedFor = null; // {rect, scrollY}: the words the open dialog keeps clear of, where they were on screen

export const annotateForm = () => document.getElementById("annotate-form");

export function showModePanels(form) {
  const mode = form.querySelector('input[name="mode"]:checked')?.value ?? "new";
  for (const panel of form.querySelectorAll(".mode-panel")) panel.hidden = panel.dataset.mode !== mode;
  const place = form.querySelector('input[name="place"]:checked')?.value ?? "";
  const picker = form.querySelector("#annotate-target-picker");
  if (picker) picker.hidden = !place;
  if (place) fillTargets(form);
  keepInView(form.closest("dialog"));
}

/** The page carries the map's claims once (the existing-claim picker); the new claim's picker copies them. */
function fillTargets(form) {
  const targets = form.querySelector("#annotate-target-list");
  const claims = form.querySelector("#annotate-claim-list");
  if (!targets || !claims || targets.querySelector(".claim-choice")) return;
  for (const choice of claims.querySelectorAll(".claim-choice")) {
    const copy = choice.cloneNode(true);
    const radio = copy.querySelector("input");
    radio.name = "target";
    radio.checked = false;
    copy.hidden = false;
    targets.append(copy);
  }
  filterPicker(form.querySelector("#annotate-target-search"));
}

/** A dialog that grew or shrank (another mode, error messages) is placed again, still clear of the words. */
export function keepInView(dialog) {
  if (!dialog?.open || !placedFor) return;
  const { rect, scrollY } = placedFor;
  const shift = scrollY - window.scrollY;
  placeDialog(dialog, new DOMRect(rect.left, rect.top + shift, rect.width, rect.height));
}

/** Show the claims of a picker whose text holds every word typed in its search field. */
export function filterPicker(search) {
  const list = search && document.getElementById(search.dataset.pickerList);
  if (!list) return;
  const count = document.getElementById(search.getAttribute("aria-describedby"));
  const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const choice of list.querySelectorAll(".claim-choice")) {
    choice.hidden = !words.every((word) => choice.textContent.toLowerCase().includes(word));
    if (!choice.hidden) shown += 1;
  }
  if (count) count.textContent = `${shown} matching claim${shown === 1 ? "" : "s"}; Down arrow moves into the list.`;
}

export function filterClaims(form) {
  form.querySelectorAll("input[data-picker-list]").forEach(filterPicker);
}

function clearErrors(form) {
  form.querySelectorAll(".errorlist, .duplicate-ok").forEach((el) => el.remove());
  for (const field of form.querySelectorAll("[aria-invalid]")) {
    field.removeAttribute("aria-invalid");
    if (field.getAttribute("aria-describedby")?.endsWith("-errors")) field.removeAttribute("aria-describedby");
  }
  form.querySelectorAll(".has-error").forEach((field) => field.classList.remove("has-error"));
}

const clamp = (value, low, high) => Math.max(low, Math.min(value, high));

/**
 * Place the (modal, fixed) dialog where it covers none of `rect`, the words being annotated: beside them
 * when the window is wide enough, else below or above them, whichever has more room, its height capped
 * to that room (its buttons stay in sight: reader.css keeps them at the bottom of what shows). When
 * neither has room for all of it, the window first scrolls the words up to make room below them.
 */
function placeDialog(dialog, rect) {
  if (!rect) {
    dialog.classList.remove("placed");
    placedFor = null;
    return;
  }
  dialog.classList.add("placed");
  dialog.style.maxHeight = "";
  const vw = document.documentElement.clientWidth;
  const vh = window.innerHeight;
  const width = Math.min(dialog.offsetWidth, vw - 2 * MARGIN);
  const wanted = Math.min(dialog.scrollHeight + 2, vh - 2 * MARGIN);
  let left;
  let top;
  let maxHeight = vh - 2 * MARGIN;
  if (rect.right + GAP + width <= vw - MARGIN) left = rect.right + GAP;
  else if (rect.left - GAP - width >= MARGIN) left = rect.left - GAP - width;
  if (left !== undefined) {
    top = clamp(rect.top - 40, MARGIN, vh - wanted - MARGIN);
  } else {
    const room = (r) => ({ below: vh - MARGIN - (r.bottom + GAP), above: r.top - GAP - MARGIN });
    let space = room(rect);
    if (Math.max(space.below, space.above) < wanted) {
      // Scroll the words up until the dialog fits below them (or they reach the top): a phone's dialog
      // then has all the room there is, and the words stay in sight above it.
      const before = window.scrollY;
      window.scrollBy(0, Math.min(rect.top - MARGIN, wanted - space.below));
      const moved = window.scrollY - before;
      rect = new DOMRect(rect.left, rect.top - moved, rect.width, rect.height);
      space = room(rect);
    }
    if (space.below >= wanted || space.below >= space.above) {
      maxHeight = space.below;
      top = rect.bottom + GAP;
    } else {
      maxHeight = space.above;
      top = rect.top - GAP - Math.min(wanted, space.above);
    }
    left = clamp(rect.left, MARGIN, vw - width - MARGIN);
  }
  placedFor = { rect, scrollY: window.scrollY };
  dialog.style.maxHeight = `${Math.max(maxHeight, 120)}px`;
  dialog.style.left = `${left}px`;
  dialog.style.top = `${top}px`;
}

/** Open `dialog` beside the selection (kept, to restore on close) and focus `first` in it. */
export function showDialogAt(dialog, rect, first) {
  focusBack = docWrap();
  const sel = window.getSelection();
  savedRange = sel && sel.rangeCount ? sel.getRangeAt(0).cloneRange() : null;
  const button = document.getElementById("annotate-float");
  if (button) button.hidden = true;
  dialog.showModal();
  placeDialog(dialog, rect);
  first.focus();
}

/** Open the annotate dialog for a selection from offsets.currentSelection(). */
export function openAnnotateDialog(info) {
  const dialog = document.getElementById("annotate-dialog");
  const form = annotateForm();
  if (!dialog || !form || !info) return;
  if (dialog.open) dialog.close();
  clearErrors(form);
  form.querySelector("#annotate-start16").value = String(info.start);
  form.querySelector("#annotate-end16").value = String(info.end);
  const exact = form.querySelector("#annotate-exact");
  exact.value = info.exact;
  exact.readOnly = true;
  form.querySelector("#annotate-claim-text").value = info.exact;
  form.querySelector("#annotate-note").value = "";
  form.querySelector('input[name="mode"][value="new"]').checked = true;
  const notPlaced = form.querySelector('input[name="place"][value=""]');
  if (notPlaced) notPlaced.checked = true;
  for (const radio of form.querySelectorAll('.claim-choice input[type="radio"]')) radio.checked = false;
  for (const search of form.querySelectorAll("input[data-picker-list]")) search.value = "";
  filterClaims(form);
  showModePanels(form);
  showDialogAt(dialog, info.rect, form.querySelector("#annotate-claim-text"));
}

/** Where on screen the words being annotated begin (their top), while the dialog is open. */
export const annotatedTop = () => (savedRange ? savedRange.getBoundingClientRect().top : null);

/** Focusing the dialog's fields moved the document selection into them; put the passage back. */
export function restoreSelection() {
  const root = docRoot();
  if (savedRange && root && root.contains(savedRange.startContainer)) {
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(savedRange);
  }
  savedRange = null;
}

/** After the dialog closed (saved, cancelled or Escape): focus and selection go back to the text. */
export function returnToText() {
  placedFor = null;
  const target = focusBack?.isConnected ? focusBack : docWrap();
  focusBack = null;
  target?.focus({ preventScroll: true });
  restoreSelection();
}

const DIALOGS = new Set(["annotate-dialog", "reattach-dialog"]);
export const isReaderDialog = (element) => DIALOGS.has(element?.id);

// ------------------------------------------------------------------ the form's own controls

document.addEventListener("change", (event) => {
  const form = event.target.closest?.("#annotate-form");
  if (form && (event.target.name === "mode" || event.target.name === "place")) showModePanels(form);
});

document.addEventListener("input", (event) => {
  if (event.target.matches?.("#annotate-form input[data-picker-list]")) filterPicker(event.target);
});

// Down arrow or Enter in a picker's search field moves into its list, picking the first claim shown;
// from there the arrows move between the claims shown (the browser skips hidden radio buttons).
document.addEventListener("keydown", (event) => {
  const search = event.target.matches?.("#annotate-form input[data-picker-list]") ? event.target : null;
  if (!search || (event.key !== "ArrowDown" && event.key !== "Enter")) return;
  event.preventDefault();
  const list = document.getElementById(search.dataset.pickerList);
  const shown = Array.from(list.querySelectorAll(".claim-choice:not([hidden]) input"));
  const target = shown.find((radio) => radio.checked) || shown[0];
  if (!target) return;
  target.checked = true;
  target.focus({ preventScroll: true });
  target.closest(".claim-choice").scrollIntoView({ block: "nearest" });
});
