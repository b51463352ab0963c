/* The annotating reader (templates/arguments/map_source.html, docs/reader.md).
 *
 * Annotating: a mouse selection shows a floating "Annotate" button; from the keyboard, focus the text
 * and press C for caret mode (reader/caret.js), then A or Enter opens the dialog (reader/dialog.js).
 * Offsets of a selection in UTF-16 units: reader/offsets.js. Re-attaching orphans: reader/reattach.js.
 *
 * After a save the page stays where it was: the new highlight gets a "Saved" badge (and a polite
 * status for screen readers), and the next caret starts right after it.
 *
 * Highlights: clicking one, or Enter/Space on it, marks and reveals its annotations in the side panel;
 * a piece covered by several passages marks all of them.
 *
 * No inline scripts and no hx-on attributes: everything is delegated from the document, so it keeps
 * working after htmx replaces the reader body (after annotating) or morphs it (the live refresh,
 * which waits while words are selected, caret mode is on or a dialog is open: regions.js).
 */
import { annotatable, currentSelection, docWrap, placeAt } from "./reader/offsets.js";
import {
  caretAfter,
  caretOn,
  drawCaret,
  enterCaretMode,
  leaveCaretMode,
  moveCaret,
  movesCaret,
} from "./reader/caret.js";
import {
  annotatedTop,
  annotateForm,
  filterClaims,
  isReaderDialog,
  keepInView,
  openAnnotateDialog,
  restoreSelection,
  returnToText,
  showModePanels,
} from "./reader/dialog.js";
import { keepReattaching, openReattachDialog, reattaching, startReattach, stopReattach } from "./reader/reattach.js";

let pendingSelection = null; // what the floating button will annotate
let activePassages = []; // the passages whose annotations are shown, kept across refreshes
let freshPassage = null; // the passage just annotated, shown once the new body is in
let freshAdded = true; // whether that annotation is new (else it was there already)
let savedPassage = null; // the passage the "Saved" badge stands beside
let bodySwapping = false;
let kept = null; // {scrollY, caret}: where the reader was when a change was posted, restored after the swap
let savedTimer = 0;

const floatButton = () => document.getElementById("annotate-float");

function openDialog(info) {
  if (reattaching()) openReattachDialog(info);
  else openAnnotateDialog(info);
}

// ------------------------------------------------------------------ floating button

function updateFloat() {
  const button = floatButton();
  if (!button || !annotatable()) return;
  const info = currentSelection();
  pendingSelection = info;
  if (!info) {
    button.hidden = true;
    return;
  }
  button.textContent = reattaching() ? "Re-attach here" : "Annotate";
  // Below the words' end and inside the text's column, so it covers neither the words nor the panel beside.
  const column = docWrap().getBoundingClientRect();
  const right = Math.min(column.right, document.documentElement.clientWidth - 8);
  button.hidden = false;
  const x = Math.max(column.left, Math.min(info.rect.right + 6, right - button.offsetWidth));
  placeAt(button, x, info.rect.bottom + 6);
}

// ------------------------------------------------------------------ highlights → annotations

function activatePassages(ids, { moveFocus }) {
  activePassages = ids;
  document.querySelectorAll(".is-active").forEach((el) => el.classList.remove("is-active"));
  const wanted = new Set(ids);
  for (const mark of document.querySelectorAll("#reader-doc mark.hl")) {
    if (mark.dataset.passages.split(" ").some((id) => wanted.has(id))) mark.classList.add("is-active");
  }
  const items = Array.from(document.querySelectorAll("#annotation-list > li")).filter((li) =>
    wanted.has(li.dataset.passage),
  );
  items.forEach((li) => li.classList.add("is-active"));
  if (!items.length || moveFocus === null) return;
  if (moveFocus === "panel") {
    showInPanel(items[0]);
    return;
  }
  items.at(-1).scrollIntoView({ block: "nearest" });
  items[0].scrollIntoView({ block: "nearest" });
  if (moveFocus) items[0].focus({ preventScroll: true });
}

/** Scroll the annotation panel, when it scrolls on its own (wide screens), to `item`; never the window. */
function showInPanel(item) {
  const panel = item.closest(".reader-annotations");
  if (!panel || panel.scrollHeight <= panel.clientHeight) return;
  const box = panel.getBoundingClientRect();
  const at = item.getBoundingClientRect();
  if (at.top < box.top || at.bottom > box.bottom) panel.scrollTop += at.top - box.top - 8;
}

/** The "Saved" badge just below the end of the passage's highlight, and the same news for screen readers. */
function saySaved(passage) {
  const status = document.getElementById("reader-status");
  const message = document.querySelector("#reader-body .reader-message")?.textContent.trim() || "";
  if (status) {
    status.textContent = "";
    setTimeout(() => {
      status.textContent = freshAdded ? `Saved. ${message}` : message;
    }, 50);
  }
  const badge = document.getElementById("saved-badge");
  if (badge) badge.textContent = freshAdded ? "Saved" : "Already there";
  savedPassage = passage;
  const last = placeSavedBadge();
  if (last) caretAfter(last);
  clearTimeout(savedTimer);
  savedTimer = setTimeout(() => {
    savedPassage = null;
    if (badge) badge.hidden = true;
  }, 8000);
}

/** Put the badge below the end of the saved passage's highlight (again, after a live refresh moved it). */
function placeSavedBadge() {
  const badge = document.getElementById("saved-badge");
  const marks = savedPassage ? document.querySelectorAll(`#reader-doc mark.hl[data-passages~="${savedPassage}"]`) : [];
  if (!badge || !marks.length) {
    if (badge) badge.hidden = true;
    return null;
  }
  const last = marks[marks.length - 1];
  const rects = last.getClientRects();
  const end = rects[rects.length - 1] || last.getBoundingClientRect();
  const column = docWrap().getBoundingClientRect();
  badge.hidden = false;
  const x = Math.max(column.left, Math.min(end.right - badge.offsetWidth, column.right - badge.offsetWidth));
  placeAt(badge, x, end.bottom + 4);
  return last;
}

const activateMark = (mark, moveFocus) => activatePassages(mark.dataset.passages.split(" "), { moveFocus });

function activateFromHash() {
  const match = /^#passage-(\d+)$/.exec(window.location.hash);
  if (match) activatePassages([match[1]], { moveFocus: false });
}

// ------------------------------------------------------------------ editing an annotation in place

function openEvidenceEdit(link) {
  // The edit and delete forms come from the server in the annotation's place (the cached list holds none).
  const controls = link.closest(".annotation-controls");
  controls.dataset.link = controls.innerHTML;
  htmx.ajax("GET", link.getAttribute("href"), { target: controls, swap: "innerHTML" }).then(() => {
    controls.querySelector("select, textarea")?.focus();
  });
}

function cancelEvidenceEdit(button) {
  const controls = button.closest(".annotation-controls");
  if (!controls?.dataset.link) return false;
  controls.innerHTML = controls.dataset.link;
  delete controls.dataset.link;
  controls.querySelector("a[data-evidence-edit]")?.focus();
  return true;
}

// ------------------------------------------------------------------ keys

document.addEventListener("keydown", (event) => {
  const wrap = docWrap();
  if (!wrap?.contains(event.target)) return;
  const mark = event.target.closest?.("mark.hl");
  const plain = !event.ctrlKey && !event.altKey && !event.metaKey;
  const key = event.key.toLowerCase();
  if (caretOn()) {
    if (event.key === "Escape") {
      event.preventDefault();
      leaveCaretMode();
    } else if (movesCaret(event)) {
      event.preventDefault();
      moveCaret(event);
      updateFloat();
    } else if ((key === "a" || event.key === "Enter") && plain) {
      event.preventDefault();
      openDialog(currentSelection());
    }
    return;
  }
  if (reattaching() && event.key === "Escape") {
    event.preventDefault();
    stopReattach();
  } else if (mark && (event.key === "Enter" || event.key === " ")) {
    event.preventDefault();
    activateMark(mark, true);
  } else if (key === "c" && plain && annotatable()) {
    event.preventDefault();
    enterCaretMode();
  } else if (key === "a" && plain && annotatable() && currentSelection()) {
    event.preventDefault();
    openDialog(currentSelection());
  }
});

document.addEventListener("focusout", (event) => {
  const wrap = docWrap();
  if (caretOn() && wrap && event.target === wrap && !wrap.contains(event.relatedTarget)) {
    if (!document.getElementById("annotate-dialog")?.open) leaveCaretMode();
  }
});

// ------------------------------------------------------------------ mouse

document.addEventListener("mouseup", (event) => {
  if (docWrap()?.contains(event.target)) setTimeout(updateFloat, 0);
});

document.addEventListener("selectionchange", () => {
  const button = floatButton();
  if (button && !button.hidden && window.getSelection()?.isCollapsed !== false) button.hidden = true;
});

document.addEventListener("click", (event) => {
  const target = event.target;
  if (!(target instanceof Element)) return;
  if (target.closest("#annotate-float")) {
    openDialog(pendingSelection || currentSelection());
    return;
  }
  const editLink = target.closest("a[data-evidence-edit]");
  if (editLink && window.htmx) {
    event.preventDefault();
    openEvidenceEdit(editLink);
    return;
  }
  const editCancel = target.closest("[data-evidence-cancel]");
  if (editCancel) {
    if (cancelEvidenceEdit(editCancel)) event.preventDefault();
    return;
  }
  const reattachLink = target.closest("a[data-reattach]");
  if (reattachLink && annotatable()) {
    event.preventDefault();
    startReattach(reattachLink);
    return;
  }
  if (target.closest("#reattach-cancel")) {
    stopReattach();
    return;
  }
  const cancel = target.closest("[data-dialog-cancel]");
  if (cancel) {
    const dialog = cancel.closest("dialog");
    if (dialog?.matches(":modal")) {
      event.preventDefault();
      dialog.close();
      docWrap()?.focus({ preventScroll: true });
      restoreSelection();
    }
    return;
  }
  const mark = target.closest("#reader-doc mark.hl");
  if (mark) {
    if (window.getSelection()?.isCollapsed === false) return; // the user is selecting, not following a highlight
    activateMark(mark, false);
  }
});

// ------------------------------------------------------------------ the dialogs closing

// <dialog> "close" does not bubble; catch it on the way down.
document.addEventListener(
  "close",
  (event) => {
    if (!isReaderDialog(event.target)) return;
    returnToText();
    drawCaret();
  },
  true,
);
// Escape: "cancel" comes before the (queued) "close"; restore at once so the next key finds the selection.
document.addEventListener(
  "cancel",
  (event) => {
    if (!isReaderDialog(event.target)) return;
    docWrap()?.focus({ preventScroll: true });
    restoreSelection();
  },
  true,
);

// ------------------------------------------------------------------ after htmx swaps

document.addEventListener("warrant:annotated", (event) => {
  freshPassage = event.detail?.passage ? String(event.detail.passage) : null;
  freshAdded = event.detail?.added !== false;
});

document.addEventListener("htmx:beforeSwap", (event) => {
  // A change posted from the reader (annotating, editing an annotation) brings a new body.
  const { target, requestConfig } = event.detail;
  if (target?.id !== "reader-body" || requestConfig?.verb === "get") return;
  bodySwapping = true;
  kept = { scrollY: window.scrollY, caret: caretOn(), wordsTop: annotatedTop() };
  const dialog = document.getElementById("annotate-dialog");
  if (dialog?.open) dialog.close();
  const button = floatButton();
  if (button) button.hidden = true;
});

document.addEventListener("htmx:afterSettle", () => {
  const form = annotateForm();
  if (form) {
    showModePanels(form);
    filterClaims(form);
    keepInView(form.closest("dialog"));
    const invalid = form.querySelector('[aria-invalid="true"]');
    if (invalid && document.getElementById("annotate-dialog")?.open) invalid.focus();
  }
  if (bodySwapping) {
    bodySwapping = false;
    leaveCaretMode();
    docWrap()?.focus({ preventScroll: true });
    // The new body is as tall as the old one and more: the reader stays exactly where they were.
    if (kept) window.scrollTo(window.scrollX, kept.scrollY);
    const fresh = freshPassage && document.querySelector(`#reader-doc mark.hl[data-passages~="${freshPassage}"]`);
    if (fresh && kept?.wordsTop != null) {
      // Should anything above have changed height meanwhile, the words still stay where they were on screen.
      const moved = fresh.getBoundingClientRect().top - kept.wordsTop;
      if (Math.abs(moved) > 2) window.scrollBy(0, moved);
    }
    if (freshPassage) {
      activatePassages([freshPassage], { moveFocus: "panel" });
      saySaved(freshPassage);
      if (kept?.caret) enterCaretMode();
    }
    freshPassage = null;
    kept = null;
  } else {
    // A live refresh morphed the body: what this page marked, it marks again (without scrolling).
    activatePassages(activePassages, { moveFocus: null });
    if (savedPassage) placeSavedBadge();
  }
  keepReattaching();
});

window.addEventListener("hashchange", activateFromHash);
window.addEventListener("resize", () => {
  if (caretOn()) drawCaret();
  if (savedPassage) placeSavedBadge();
});

const form = annotateForm();
if (form) {
  showModePanels(form);
  filterClaims(form);
}
activateFromHash();

// "Use this claim instead" in the similar-claims hint (templates/arguments/_similar_claims.html): the
// passage is linked to that existing claim, so the dialog switches to "Link to an existing claim" with
// it chosen; the person still picks the stance.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-use-claim]");
  const form = button && annotateForm();
  if (!form) return;
  const link = form.querySelector('input[name="mode"][value="link"]');
  const choice = form.querySelector(`#annotate-claim-list input[name="claim"][value="${button.dataset.useClaim}"]`);
  if (!link || !choice) return;
  link.checked = true;
  const search = form.querySelector("#annotate-claim-search");
  if (search) search.value = "";
  showModePanels(form);
  filterClaims(form);
  choice.checked = true;
  choice.closest(".claim-choice")?.scrollIntoView({ block: "nearest" });
  choice.focus();
});
