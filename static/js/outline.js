/* The map page's outline: open and close claims, fetch deeper levels once, move with the keyboard.
 *
 * A collapsed claim's "N pro · M con" button fetches its responses with htmx (data-fetch) whenever it
 * opens an empty list; after that this module only shows and hides them. Quotes work the same. Asking
 * here rather than with hx-trigger="click once" keeps it right after a live refresh morphs the outline.
 * The claims a reader has opened travel with the outline's live refresh (?open=…), so a change made
 * elsewhere re-renders the outline without closing what they were reading.
 *
 * Keys on a claim's link: ArrowDown / ArrowUp go to the next / previous visible claim, ArrowRight
 * opens it (or goes to its first response), ArrowLeft closes it (or goes to the claim above it).
 */

const TREE = "[data-outline-tree]";

function toggle(button, open) {
  const target = document.getElementById(button.getAttribute("aria-controls"));
  if (!target) return;
  const willOpen = open ?? button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(willOpen));
  target.hidden = !willOpen;
  if (willOpen && !target.children.length && button.dataset.fetch) {
    window.htmx.ajax("GET", button.dataset.fetch, { target, swap: "innerHTML" });
  }
}

/** The claims whose responses are on screen (opened by the reader, or just answered in place). */
function openIds() {
  return Array.from(document.querySelectorAll(`${TREE} ul.children:not([hidden])`))
    .map((list) => list.closest(".node")?.dataset.claim)
    .filter(Boolean);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest(".expander, .quotes-toggle");
  if (button) {
    toggle(button);
    return;
  }
  const all = event.target.closest("[data-outline]");
  if (!all) return;
  const expand = all.dataset.outline === "expand";
  if (expand) {
    // Opening everything is one request: the page again with every claim open.
    const url = new URL(window.location.href);
    url.searchParams.set("open", "all");
    window.location.assign(url);
    return;
  }
  document.querySelectorAll(`${TREE} .expander[aria-expanded="true"]`).forEach((b) => toggle(b, false));
  const url = new URL(window.location.href);
  if (url.searchParams.has("open")) {
    url.searchParams.delete("open");
    history.replaceState(null, "", url);
  }
});

// The live refresh asks for the outline as the reader sees it.
document.addEventListener("htmx:configRequest", (event) => {
  const region = event.detail.elt;
  if (region?.id !== "map-body") return;
  const ids = openIds();
  if (ids.length) event.detail.parameters.open = ids.join(",");
});

function visibleClaims() {
  return Array.from(document.querySelectorAll(`${TREE} .node > .claim-box .claim-text`)).filter(
    (link) => link.offsetParent !== null,
  );
}

document.addEventListener("keydown", (event) => {
  const link = event.target.closest?.(`${TREE} .claim-text`);
  if (!link || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const node = link.closest(".node");
  const expander = node.querySelector(":scope > .claim-box .expander");
  const claims = visibleClaims();
  const at = claims.indexOf(link);
  let next = null;
  if (event.key === "ArrowDown") next = claims[at + 1];
  else if (event.key === "ArrowUp") next = claims[at - 1];
  else if (event.key === "ArrowRight") {
    if (expander && expander.getAttribute("aria-expanded") !== "true") expander.click();
    else next = node.querySelector(":scope > .children > .node .claim-text");
  } else if (event.key === "ArrowLeft") {
    if (expander && expander.getAttribute("aria-expanded") === "true") toggle(expander, false);
    else next = node.parentElement.closest(".node")?.querySelector(":scope > .claim-box .claim-text");
  } else return;
  event.preventDefault();
  next?.focus();
});

// A response added in place lands in its parent's list of responses (templates/arguments/_respond.html):
// open that list, fetching the rest of it first if the reader had not opened it yet, so the new claim
// is in view (and stays open through the live refresh that follows, see openIds).
function revealResponses(claimId) {
  const list = document.getElementById(`children-${claimId}`);
  if (!list || !list.hidden) return;
  const expander = document.querySelector(`.expander[aria-controls="${list.id}"]`);
  if (expander && expander.getAttribute("aria-expanded") !== "true") expander.click();
  else list.hidden = false;
}

document.addEventListener("htmx:afterSwap", (event) => {
  const match = /^respond-(\d+)$/.exec(event.detail?.target?.id ?? "");
  if (match) revealResponses(match[1]);
});
