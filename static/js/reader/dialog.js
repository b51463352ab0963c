/* The annotate dialog: a modal <dialog> beside the selected words, whose form posts with htmx.
 *
 * htmx swaps in the new reader body (which closes the dialog) or, on error, the form with its messages
 * (the dialog stays). Without JavaScript the same form is a page of its own (GET .../annotate/).
 * The selection being annotated is kept while the dialog is open and put back when it closes, so that
 * Escape returns to the words (and to caret mode) where the reader left them.
 */
import { docRoot, docWrap } from "./offsets.js";

const WIDE = 900; // narrower screens show the dialog centred, as the browser places it

let focusBack = null; // where focus returns when the dialog closes
let savedRange = null; // the selection being annotated, restored when the dialog is cancelled

export const annotateForm = () => document.getElementById("annotate-form");

export function showModePanels(form) {
  const mode = form.querySelector('input[name="mode"]:checked')?.value ?? "new";
  for (const panel of form.querySelectorAll(".mode-panel")) panel.hidden = panel.dataset.mode !== mode;
  keepInView(form.closest("dialog"));
}

/** A placed dialog that grew (another mode, error messages) moves up to stay on screen. */
export function keepInView(dialog) {
  if (!dialog?.classList.contains("placed")) return;
  const rect = dialog.getBoundingClientRect();
  if (rect.bottom > window.innerHeight - 16) {
    dialog.style.top = `${Math.max(16, window.innerHeight - rect.height - 16)}px`;
  }
}

export function filterClaims(form) {
  const search = form.querySelector("#annotate-claim-search");
  const select = form.querySelector("#annotate-claim");
  const count = form.querySelector("#annotate-claim-count");
  if (!search || !select) return;
  const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const option of select.options) {
    const text = option.textContent.toLowerCase();
    option.hidden = !words.every((word) => text.includes(word));
    if (option.hidden && option.selected) option.selected = false;
    if (!option.hidden) shown += 1;
  }
  if (count) count.textContent = `${shown} matching claim${shown === 1 ? "" : "s"}; Down arrow moves into the list.`;
}

function clearErrors(form) {
  form.querySelectorAll(".errorlist").forEach((list) => list.remove());
  for (const field of form.querySelectorAll("[aria-invalid]")) {
    field.removeAttribute("aria-invalid");
    field.removeAttribute("aria-describedby");
  }
  form.querySelectorAll(".has-error").forEach((field) => field.classList.remove("has-error"));
}

function placeDialog(dialog, rect) {
  dialog.classList.remove("placed");
  dialog.style.left = "";
  dialog.style.top = "";
  if (!rect || window.innerWidth < WIDE) return;
  dialog.classList.add("placed");
  const width = dialog.offsetWidth;
  const height = dialog.offsetHeight;
  let left = rect.right + 24;
  if (left + width > window.innerWidth - 16) left = Math.max(16, rect.left - width - 24);
  if (left < 16 || left + width > window.innerWidth - 16) left = Math.max(16, (window.innerWidth - width) / 2);
  const top = Math.min(Math.max(16, rect.top - 40), Math.max(16, window.innerHeight - height - 16));
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
  const search = form.querySelector("#annotate-claim-search");
  if (search) search.value = "";
  filterClaims(form);
  showModePanels(form);
  showDialogAt(dialog, info.rect, form.querySelector("#annotate-claim-text"));
}

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
  if (form && event.target.name === "mode") showModePanels(form);
});

document.addEventListener("input", (event) => {
  if (event.target.id === "annotate-claim-search") filterClaims(event.target.form);
});

document.addEventListener("keydown", (event) => {
  if (event.target.id !== "annotate-claim-search") return;
  if (event.key !== "ArrowDown" && event.key !== "Enter") return;
  event.preventDefault();
  const select = event.target.form.querySelector("#annotate-claim");
  const first = Array.from(select.options).find((option) => !option.hidden);
  if (first && select.selectedIndex < 0) first.selected = true;
  select.focus();
});
