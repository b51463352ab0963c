/* The annotating reader.
 *
 * Offsets: the server renders the canonical text so that the DOM text of .reader-doc is exactly the
 * canonical text, each <p> carrying data-o16 (its start in UTF-16 units). A selection boundary is
 * therefore the paragraph's data-o16 plus the length of a Range from the paragraph's start to the
 * boundary; Range.toString() counts UTF-16 units, like the offsets the server converts back.
 *
 * Annotating: a mouse selection shows a floating "Annotate" button; from the keyboard, focus the text
 * and press C for caret mode (arrows move, Shift+arrows select, Ctrl/Alt for words, A or Enter opens
 * the dialog, Escape leaves). The dialog is a modal <dialog>; its form posts with htmx, which swaps in
 * the new reader body (the dialog closes) or, on error, the form with its messages (the dialog stays).
 *
 * Highlights: clicking one, or Enter/Space on it, marks and reveals its annotations in the side panel;
 * a piece covered by several passages marks all of them.
 *
 * Re-attaching: "Re-attach…" on an orphaned passage starts re-attach mode (a banner says so); the next
 * selection, by mouse or caret mode, opens the re-attach dialog instead of the annotate dialog, which
 * posts the new words' offsets and the passage's version. Escape or the banner's button cancels.
 *
 * No inline scripts and no hx-on attributes: everything is delegated from the document, so it keeps
 * working after htmx replaces the reader body, or after the live client refreshes the element marked
 * data-live-region and dispatches "warrant:live-refreshed" (it never does so while a dialog is open).
 */
(function () {
  "use strict";

  const WIDE = 900;
  let caretMode = false;
  let pendingSelection = null; // what the floating button will annotate
  let focusBack = null; // where focus returns when the dialog closes
  let savedRange = null; // the selection being annotated, restored when the dialog is cancelled
  let bodySwapping = false;
  let freshPassage = null;
  let reattaching = null; // {id, version, url, quote} of the orphan being re-attached

  const $ = (id) => document.getElementById(id);
  const docWrap = () => $("reader-doc");
  const docRoot = () => document.querySelector("#reader-doc .reader-doc");
  const annotatable = () => {
    const wrap = docWrap();
    return Boolean(wrap && wrap.hasAttribute("data-annotatable"));
  };

  // ------------------------------------------------------------------ offsets in UTF-16 units

  function elementOf(node) {
    return node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  }

  function offset16(node, offset) {
    const root = docRoot();
    const range = document.createRange();
    const el = elementOf(node);
    const paragraph = el && el.closest("p[data-o16]");
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

  /** The current selection, clamped to the document and trimmed of white space at both ends, or null. */
  function currentSelection() {
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
    const start = offset16(range.startContainer, range.startOffset);
    const end = offset16(range.endContainer, range.endOffset);
    if (end - start !== raw.length) return null; // not a selection of the text itself
    const exact = raw.trim();
    if (!exact) return null;
    const lead = raw.length - raw.trimStart().length;
    const trail = raw.length - raw.trimEnd().length;
    return { start: start + lead, end: end - trail, exact: exact, rect: range.getBoundingClientRect() };
  }

  // ------------------------------------------------------------------ floating button

  function placeAt(el, viewportX, viewportY) {
    el.hidden = false;
    const host = el.offsetParent || document.body;
    const hostRect = host === document.body ? { left: -window.scrollX, top: -window.scrollY } : host.getBoundingClientRect();
    el.style.left = `${Math.max(4, viewportX - hostRect.left)}px`;
    el.style.top = `${Math.max(4, viewportY - hostRect.top)}px`;
  }

  function updateFloat() {
    const button = $("annotate-float");
    if (!button || !annotatable()) return;
    const info = currentSelection();
    pendingSelection = info;
    if (!info) {
      button.hidden = true;
      return;
    }
    button.textContent = reattaching ? "Re-attach here" : "Annotate";
    const x = Math.min(info.rect.right + 6, document.documentElement.clientWidth - 130);
    placeAt(button, x, info.rect.bottom + 6);
  }

  // ------------------------------------------------------------------ caret mode

  function drawCaret() {
    const caret = $("fake-caret");
    const sel = window.getSelection();
    if (!caret) return;
    if (!caretMode || !sel || !sel.focusNode) {
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
    return (
      paragraphs.find((p) => p.getBoundingClientRect().top >= 0 && p.getBoundingClientRect().top < window.innerHeight) ||
      paragraphs.find((p) => p.getBoundingClientRect().bottom > 0) ||
      paragraphs[0]
    );
  }

  function enterCaretMode() {
    const paragraph = firstVisibleParagraph();
    if (!paragraph) return;
    const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
    const text = walker.nextNode();
    const sel = window.getSelection();
    if (text) sel.collapse(text, 0);
    else sel.collapse(paragraph, 0);
    caretMode = true;
    docWrap().classList.add("caret-mode");
    drawCaret();
  }

  function leaveCaretMode() {
    caretMode = false;
    const wrap = docWrap();
    if (wrap) wrap.classList.remove("caret-mode");
    drawCaret();
  }

  const ARROWS = { ArrowLeft: "backward", ArrowRight: "forward", ArrowUp: "backward", ArrowDown: "forward" };

  function moveCaret(event) {
    const sel = window.getSelection();
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
    sel.modify(alter, direction, granularity);
    drawCaret();
    updateFloat();
  }

  // ------------------------------------------------------------------ the dialog

  function showModePanels(form) {
    const checked = form.querySelector('input[name="mode"]:checked');
    const mode = checked ? checked.value : "new";
    form.querySelectorAll(".mode-panel").forEach((panel) => {
      panel.hidden = panel.dataset.mode !== mode;
    });
    keepInView(form.closest("dialog"));
  }

  /** A placed dialog that grew (another mode, error messages) moves up to stay on screen. */
  function keepInView(dialog) {
    if (!dialog || !dialog.classList.contains("placed")) return;
    const rect = dialog.getBoundingClientRect();
    if (rect.bottom > window.innerHeight - 16) {
      dialog.style.top = `${Math.max(16, window.innerHeight - rect.height - 16)}px`;
    }
  }

  function filterClaims(form) {
    const search = form.querySelector("#annotate-claim-search");
    const select = form.querySelector("#annotate-claim");
    const count = form.querySelector("#annotate-claim-count");
    if (!search || !select) return;
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    Array.from(select.options).forEach((option) => {
      const text = option.textContent.toLowerCase();
      option.hidden = !words.every((w) => text.includes(w));
      if (option.hidden && option.selected) option.selected = false;
      if (!option.hidden) shown += 1;
    });
    if (count) count.textContent = `${shown} matching claim${shown === 1 ? "" : "s"}; Down arrow moves into the list.`;
  }

  function clearErrors(form) {
    form.querySelectorAll(".errorlist").forEach((list) => list.remove());
    form.querySelectorAll("[aria-invalid]").forEach((field) => {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    });
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

  function openDialog(info) {
    if (reattaching) {
      openReattachDialog(info);
      return;
    }
    const dialog = $("annotate-dialog");
    const form = $("annotate-form");
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

  /** Open `dialog` beside the selection (kept, to restore on close) and focus `first` in it. */
  function showDialogAt(dialog, rect, first) {
    focusBack = docWrap();
    const sel = window.getSelection();
    savedRange = sel && sel.rangeCount ? sel.getRangeAt(0).cloneRange() : null;
    const button = $("annotate-float");
    if (button) button.hidden = true;
    dialog.showModal();
    placeDialog(dialog, rect);
    first.focus();
  }

  /** Focusing the dialog's fields moved the document selection into them; put the passage back. */
  function restoreSelection() {
    const root = docRoot();
    if (savedRange && root && root.contains(savedRange.startContainer)) {
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(savedRange);
    }
    savedRange = null;
  }

  function onDialogClosed() {
    const target = focusBack && document.contains(focusBack) ? focusBack : docWrap();
    focusBack = null;
    if (target) target.focus({ preventScroll: true });
    restoreSelection();
    drawCaret();
  }

  // ------------------------------------------------------------------ re-attaching orphans

  function startReattach(link) {
    const item = link.closest("[data-orphan]");
    const quote = item ? item.querySelector(".quote") : null;
    reattaching = {
      id: link.dataset.reattach,
      version: link.dataset.version,
      url: link.getAttribute("href"),
      quote: quote ? quote.textContent.replace(/^“|”$/g, "") : "",
    };
    const banner = $("reattach-banner");
    if (banner) {
      $("reattach-banner-quote").textContent = reattaching.quote;
      banner.hidden = false;
    }
    markReattaching();
    const wrap = docWrap();
    if (wrap) {
      wrap.focus({ preventScroll: true });
      wrap.scrollIntoView({ block: "nearest" });
    }
  }

  function markReattaching() {
    document.querySelectorAll(".orphan.is-reattaching").forEach((el) => el.classList.remove("is-reattaching"));
    if (!reattaching) return;
    const item = document.getElementById(`orphan-${reattaching.id}`);
    if (item) item.classList.add("is-reattaching");
  }

  function stopReattach() {
    const id = reattaching ? reattaching.id : null;
    reattaching = null;
    const banner = $("reattach-banner");
    if (banner) banner.hidden = true;
    markReattaching();
    const button = $("annotate-float");
    if (button) button.hidden = true;
    const item = id && document.getElementById(`orphan-${id}`);
    const link = item && item.querySelector("[data-reattach]");
    if (link) link.focus();
  }

  function openReattachDialog(info) {
    const dialog = $("reattach-dialog");
    const form = $("reattach-form");
    if (!dialog || !form || !info) return;
    form.setAttribute("action", reattaching.url);
    $("reattach-start16").value = String(info.start);
    $("reattach-end16").value = String(info.end);
    $("reattach-version").value = reattaching.version;
    $("reattach-exact").value = info.exact;
    $("reattach-old").textContent = `“${reattaching.quote}”`;
    showDialogAt(dialog, info.rect, form.querySelector('button[type="submit"]'));
  }

  // ------------------------------------------------------------------ highlights → annotations

  function activatePassages(ids, { moveFocus }) {
    document.querySelectorAll(".is-active").forEach((el) => el.classList.remove("is-active"));
    const wanted = new Set(ids);
    document.querySelectorAll("#reader-doc mark.hl").forEach((mark) => {
      if (mark.dataset.passages.split(" ").some((id) => wanted.has(id))) mark.classList.add("is-active");
    });
    const items = Array.from(document.querySelectorAll("#annotation-list > li")).filter((li) =>
      wanted.has(li.dataset.passage),
    );
    items.forEach((li) => li.classList.add("is-active"));
    if (items.length) {
      items[items.length - 1].scrollIntoView({ block: "nearest" });
      items[0].scrollIntoView({ block: "nearest" });
      if (moveFocus) items[0].focus({ preventScroll: true });
    }
  }

  function activateMark(mark, moveFocus) {
    activatePassages(mark.dataset.passages.split(" "), { moveFocus: moveFocus });
  }

  function activateFromHash() {
    const match = /^#passage-(\d+)$/.exec(window.location.hash);
    if (match) activatePassages([match[1]], { moveFocus: false });
  }

  // ------------------------------------------------------------------ events

  document.addEventListener("keydown", (event) => {
    const wrap = docWrap();
    if (!wrap || !wrap.contains(event.target)) return;
    const mark = event.target.closest && event.target.closest("mark.hl");
    const plain = !event.ctrlKey && !event.altKey && !event.metaKey;
    if (caretMode) {
      if (event.key === "Escape") {
        event.preventDefault();
        leaveCaretMode();
      } else if (event.key in ARROWS || event.key === "Home" || event.key === "End") {
        event.preventDefault();
        moveCaret(event);
      } else if ((event.key === "a" || event.key === "A" || event.key === "Enter") && plain) {
        event.preventDefault();
        openDialog(currentSelection());
      }
      return;
    }
    if (reattaching && event.key === "Escape") {
      event.preventDefault();
      stopReattach();
    } else if (mark && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      activateMark(mark, true);
    } else if ((event.key === "c" || event.key === "C") && plain && annotatable()) {
      event.preventDefault();
      enterCaretMode();
    } else if ((event.key === "a" || event.key === "A") && plain && annotatable() && currentSelection()) {
      event.preventDefault();
      openDialog(currentSelection());
    }
  });

  document.addEventListener("focusout", (event) => {
    const wrap = docWrap();
    if (caretMode && wrap && event.target === wrap && !wrap.contains(event.relatedTarget)) {
      const dialog = $("annotate-dialog");
      if (!(dialog && dialog.open)) leaveCaretMode();
    }
  });

  document.addEventListener("mouseup", (event) => {
    const wrap = docWrap();
    if (wrap && wrap.contains(event.target)) window.setTimeout(updateFloat, 0);
  });

  document.addEventListener("selectionchange", () => {
    const button = $("annotate-float");
    if (button && !button.hidden) {
      const sel = window.getSelection();
      if (!sel || sel.isCollapsed) button.hidden = true;
    }
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
      // The edit and delete forms come from the server in the annotation's place (the cached list holds none).
      event.preventDefault();
      const controls = editLink.closest(".annotation-controls");
      controls.dataset.link = controls.innerHTML;
      window.htmx.ajax("GET", editLink.getAttribute("href"), { target: controls, swap: "innerHTML" }).then(() => {
        const field = controls.querySelector("select, textarea");
        if (field) field.focus();
      });
      return;
    }
    const editCancel = target.closest("[data-evidence-cancel]");
    if (editCancel) {
      const controls = editCancel.closest(".annotation-controls");
      if (controls && controls.dataset.link) {
        event.preventDefault();
        controls.innerHTML = controls.dataset.link;
        delete controls.dataset.link;
        const link = controls.querySelector("a[data-evidence-edit]");
        if (link) link.focus();
      }
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
      if (dialog && dialog.matches(":modal")) {
        event.preventDefault();
        dialog.close();
        const wrap = docWrap();
        if (wrap) wrap.focus({ preventScroll: true });
        restoreSelection();
      }
      return;
    }
    const mark = target.closest("#reader-doc mark.hl");
    if (mark) {
      const sel = window.getSelection();
      if (sel && !sel.isCollapsed) return; // the user is selecting, not following a highlight
      activateMark(mark, false);
    }
  });

  document.addEventListener("change", (event) => {
    const form = event.target.closest && event.target.closest("#annotate-form");
    if (form && event.target.name === "mode") showModePanels(form);
  });

  document.addEventListener("input", (event) => {
    if (event.target.id === "annotate-claim-search") filterClaims(event.target.form);
  });

  document.addEventListener("keydown", (event) => {
    if (event.target.id !== "annotate-claim-search") return;
    const select = event.target.form.querySelector("#annotate-claim");
    if (event.key === "ArrowDown" || event.key === "Enter") {
      event.preventDefault();
      const first = Array.from(select.options).find((o) => !o.hidden);
      if (first && select.selectedIndex < 0) first.selected = true;
      select.focus();
    }
  });

  // <dialog> "close" does not bubble; catch it on the way down.
  document.addEventListener(
    "close",
    (event) => {
      if (event.target.id === "annotate-dialog" || event.target.id === "reattach-dialog") onDialogClosed();
    },
    true,
  );
  // Escape: "cancel" comes before the (queued) "close"; restore at once so the next key finds the selection.
  document.addEventListener(
    "cancel",
    (event) => {
      if (event.target.id === "annotate-dialog" || event.target.id === "reattach-dialog") {
        const wrap = docWrap();
        if (wrap) wrap.focus({ preventScroll: true });
        restoreSelection();
      }
    },
    true,
  );

  document.addEventListener("warrant:annotated", (event) => {
    freshPassage = event.detail && event.detail.passage ? String(event.detail.passage) : null;
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (target && target.id === "reader-body") {
      bodySwapping = true;
      const dialog = $("annotate-dialog");
      if (dialog && dialog.open) dialog.close();
      const button = $("annotate-float");
      if (button) button.hidden = true;
    }
  });

  document.addEventListener("htmx:afterSettle", () => {
    const form = $("annotate-form");
    if (form) {
      showModePanels(form);
      filterClaims(form);
      keepInView(form.closest("dialog"));
      const invalid = form.querySelector('[aria-invalid="true"]');
      const dialog = $("annotate-dialog");
      if (invalid && dialog && dialog.open) invalid.focus();
    }
    if (bodySwapping) {
      bodySwapping = false;
      leaveCaretMode();
      const wrap = docWrap();
      if (wrap) wrap.focus({ preventScroll: true });
      if (freshPassage) activatePassages([freshPassage], { moveFocus: false });
      freshPassage = null;
      markReattaching();
    }
  });

  window.addEventListener("hashchange", activateFromHash);
  window.addEventListener("resize", () => {
    if (caretMode) drawCaret();
  });

  // The live client replaced the reader's contents with a fresher copy: the text nodes the caret and any
  // selection lived in are gone, so caret mode ends (focus stays on the text); an orphan being
  // re-attached stays chosen if it is still an orphan, otherwise re-attach mode ends.
  document.addEventListener("warrant:live-refreshed", () => {
    const hadFocus = caretMode || document.activeElement === document.body;
    if (caretMode) leaveCaretMode();
    const button = $("annotate-float");
    if (button) button.hidden = true;
    if (reattaching && !document.getElementById(`orphan-${reattaching.id}`)) {
      reattaching = null;
      const banner = $("reattach-banner");
      if (banner) banner.hidden = true;
    }
    markReattaching();
    init();
    const wrap = docWrap();
    if (hadFocus && wrap) wrap.focus({ preventScroll: true });
  });

  function init() {
    const form = $("annotate-form");
    if (form) {
      showModePanels(form);
      filterClaims(form);
    }
    activateFromHash();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
