/* Regions that refresh themselves when the map changes (docs/live-updates.md).
 *
 * A region is an element with the attributes of templates/_live_region.html: on "warrant:map-changed"
 * (sent on <body> by live.js) htmx fetches the region's page again, keeps the region (and any others it
 * names in hx-select-oob) and morphs it in place with idiomorph, so focus, scroll and open <details>
 * survive. This module decides when that may happen and what a morph must leave alone:
 *
 *   - a refresh waits while someone is busy: a dialog is open, words are selected in a region, an
 *     element of a region holds it (data-live-hold: the reader's caret mode), or focus is in a field of
 *     a region that holds unsaved text. It happens as soon as that ends ("warrant:refresh");
 *   - a form someone has started to fill in (or that shows errors) is kept whole, including its hidden
 *     version field, so saving it is still checked against the version they began from;
 *   - <details> and <dialog> keep their open or closed state.
 *
 * A region that changed glows briefly (live-fresh). A region whose page is gone (404) says so once.
 */

const REGION = "[data-live-region]";
const RETRY_MS = 1000; // while a refresh waits, how often to look again besides the events below

const waiting = new Set(); // regions whose refresh waits for the reader

function elementOf(node) {
  return node && node.nodeType === Node.ELEMENT_NODE ? node : node?.parentElement ?? null;
}

function isTextField(el) {
  if (!el) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA") return true;
  if (el.tagName !== "INPUT") return false;
  return !["checkbox", "radio", "button", "submit", "reset", "hidden", "file", "range", "color"].includes(el.type);
}

function isDirty(form) {
  return Array.from(form.elements).some((el) => {
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") return Array.from(el.options).some((o) => o.selected !== o.defaultSelected);
    if (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type !== "hidden")) {
      return el.value !== el.defaultValue;
    }
    return false;
  });
}

/** Why a refresh must wait now, or "" when it may go ahead. */
function busy() {
  if (document.querySelector("dialog[open]")) return "dialog";
  if (document.querySelector(`${REGION} [data-live-hold], ${REGION}[data-live-hold]`)) return "hold";
  const selection = window.getSelection();
  if (selection && !selection.isCollapsed) {
    const ends = [selection.anchorNode, selection.focusNode].map(elementOf);
    if (ends.some((el) => el?.closest(REGION))) return "selection";
  }
  const active = document.activeElement;
  if (isTextField(active) && active.closest(REGION)) {
    if (active.isContentEditable || active.value !== active.defaultValue) return "typing";
  }
  return "";
}

function isLiveRefresh(detail) {
  const region = detail.elt;
  return region?.matches?.(REGION) && region.hasAttribute("hx-get") && detail.requestConfig?.verb === "get";
}

// Before the request: hold it back while someone is busy.
document.addEventListener("htmx:confirm", (event) => {
  const region = event.detail.elt;
  if (!region?.matches?.(REGION) || !region.hasAttribute("hx-get")) return;
  if (busy()) {
    event.preventDefault();
    waiting.add(region);
    region.dataset.liveWaiting = "";
  } else {
    waiting.delete(region);
    delete region.dataset.liveWaiting;
  }
});

// When the page comes back: someone may have become busy meanwhile; then the swap waits too.
let textBefore = new Map();
document.addEventListener("htmx:beforeSwap", (event) => {
  if (!isLiveRefresh(event.detail)) return;
  const region = event.detail.elt;
  if (busy()) {
    event.detail.shouldSwap = false;
    waiting.add(region);
    region.dataset.liveWaiting = "";
    return;
  }
  textBefore = new Map(Array.from(document.querySelectorAll(REGION), (el) => [el, el.textContent]));
});

document.addEventListener("htmx:afterSettle", (event) => {
  if (!isLiveRefresh(event.detail) || !textBefore.size) return;
  for (const [region, text] of textBefore) {
    if (region.isConnected && region.textContent !== text) {
      region.classList.remove("live-fresh");
      void region.offsetWidth; // restart the glow
      region.classList.add("live-fresh");
    }
  }
  textBefore = new Map();
});

// A region whose page is gone (the claim was deleted, the map closed to this reader) says so once.
let goneTold = false;
// On <body>, so as to run before django-htmx's debug helper, which listens on the document.
document.body.addEventListener("htmx:beforeOnLoad", (event) => {
  if (!isLiveRefresh(event.detail) || event.detail.xhr.status < 400) return;
  event.stopPropagation(); // django-htmx's debug helper would replace the whole page with the error
  if (event.detail.xhr.status === 404 && !goneTold) {
    goneTold = true;
    const config = document.querySelector("[data-live-map]");
    document.body.dispatchEvent(
      new CustomEvent("warrant:notice", {
        detail: { text: "What this page showed was deleted.", href: config?.dataset.mapUrl, link: "Back to the map" },
      }),
    );
  }
});

// ------------------------------------------------------------------ when the reader is done

function wake() {
  if (!waiting.size || busy()) return;
  for (const region of waiting) {
    delete region.dataset.liveWaiting;
    if (region.isConnected) htmx.trigger(region, "warrant:refresh");
  }
  waiting.clear();
}

const soon = () => setTimeout(wake, 0);
document.addEventListener("selectionchange", soon);
document.addEventListener("focusout", soon);
document.addEventListener("close", soon, true); // a dialog closed ("close" does not bubble)
document.addEventListener("warrant:hold-released", soon);
setInterval(wake, RETRY_MS);

// ------------------------------------------------------------------ what a morph leaves alone

/** A form that holds someone's unsaved words, or its own error messages, stays exactly as it is; so does
 * what someone asked for on this page (data-live-keep: suggestions, which the page itself does not hold). */
function keepsWork(node) {
  if (node instanceof Element && node.hasAttribute("data-live-keep")) return true;
  return node instanceof HTMLFormElement && (isDirty(node) || Boolean(node.querySelector(".errorlist")));
}

if (window.Idiomorph) {
  Idiomorph.defaults.callbacks.beforeNodeMorphed = (oldNode) => !keepsWork(oldNode);
  Idiomorph.defaults.callbacks.beforeNodeRemoved = (oldNode) => !keepsWork(oldNode);
  Idiomorph.defaults.callbacks.beforeAttributeUpdated = (name, element) =>
    !(name === "open" && (element instanceof HTMLDetailsElement || element instanceof HTMLDialogElement));
}
