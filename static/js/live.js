/* Live updates on a map's pages (docs/live-updates.md).
 *
 * A page that shows a map carries a hidden [data-live-map] element (templates/arguments/_live.html)
 * naming the map's event feed, its stream, and the id of the newest event when the page was made.
 * This script follows the events after that id:
 *   - through the SSE stream when the server can push (ASGI on PostgreSQL); the browser reconnects a
 *     dropped stream by itself and sends Last-Event-ID, so the server resends what was missed;
 *   - otherwise by polling the feed about once a second; "304 Not Modified" while nothing changed.
 *     A stream that answers 204 (WSGI, SQLite) means "poll instead".
 * For each batch of events by someone else it shows a quiet notice (who did what, with a link), and
 * it brings the page up to date without reloading: it fetches the page again and replaces the inside
 * of every [data-live-region] element (each has an id) with the fresh one, keeping open <details>,
 * forms someone started to fill in, and focus. It waits while a dialog is open, while someone is selecting words in a
 * region (with the mouse or in the reader's caret mode) or typing in a field of one. On the graph page it also updates the Cytoscape graph from the fresh page's data.
 * Afterwards it dispatches "warrant:live-refreshed" on the document.
 *
 * window.warrantLive exposes the state (mode, lastId, counters) for the tests and the benchmark.
 */
(function () {
  "use strict";

  const config = document.querySelector("[data-live-map]");
  if (!config || !window.fetch || !window.DOMParser) return;

  const POLL_MS = 1000;
  const HIDDEN_POLL_MS = 5000; // a tab in the background asks less often
  const MAX_BACKOFF_MS = 15000;
  const STREAM_RETRY_MS = 30000; // after a stream failed, try it again this much later
  const REFRESH_DELAY_MS = 80; // gathers a burst of events into one refresh
  const NOTICE_MS = 12000;
  const MAX_NOTICES = 4;
  const MAX_SINGLE_NOTICES = 3; // more events at once are told as one summary

  const eventsUrl = config.dataset.eventsUrl;
  const streamUrl = config.dataset.streamUrl;
  const activityUrl = config.dataset.activityUrl;
  const me = config.dataset.user || "";
  const notices = document.getElementById("live-notices");

  const state = (window.warrantLive = {
    mode: "starting", // "stream", "polling", "stopped"
    lastId: config.dataset.lastEvent === "" ? null : Number(config.dataset.lastEvent),
    received: 0,
    refreshes: 0,
  });

  let etag = null;
  let pollTimer = null;
  let failures = 0;
  let stream = null;
  let streamRefused = !window.EventSource || !streamUrl;

  // ------------------------------------------------------------------ receiving events

  function receive(events) {
    const fresh = events.filter((event) => state.lastId === null || event.id > state.lastId);
    if (!fresh.length) return;
    state.lastId = fresh[fresh.length - 1].id;
    state.received += fresh.length;
    const others = fresh.filter((event) => !me || event.actor !== me);
    if (others.length) announce(others);
    scheduleRefresh();
  }

  // ------------------------------------------------------------------ the stream

  function openStream() {
    stopPolling();
    let opened = false;
    const source = new EventSource(streamUrl + "?after=" + encodeURIComponent(state.lastId));
    stream = source;
    source.onopen = () => {
      opened = true;
      failures = 0;
      state.mode = "stream";
    };
    source.onmessage = (message) => {
      try {
        receive([JSON.parse(message.data)]);
      } catch (error) {
        // A message we cannot read is skipped; the next refresh shows the page as it is anyway.
      }
    };
    source.onerror = () => {
      // While CONNECTING the browser reconnects by itself (sending Last-Event-ID). CLOSED means the
      // server said no: 204 where it cannot push, or an error. Poll, and maybe try the stream later.
      if (source.readyState !== EventSource.CLOSED) return;
      source.close();
      if (stream === source) stream = null;
      if (!opened) streamRefused = true;
      startPolling();
      if (opened) setTimeout(retryStream, STREAM_RETRY_MS);
    };
  }

  function retryStream() {
    if (state.mode === "polling" && !stream) openStream();
  }

  // ------------------------------------------------------------------ polling

  function interval() {
    if (failures) return Math.min(POLL_MS * 2 ** failures, MAX_BACKOFF_MS);
    return document.hidden ? HIDDEN_POLL_MS : POLL_MS;
  }

  function schedulePoll(delay) {
    clearTimeout(pollTimer);
    if (state.mode === "polling") pollTimer = setTimeout(pollOnce, delay);
  }

  function startPolling() {
    state.mode = "polling";
    schedulePoll(0);
  }

  function stopPolling() {
    clearTimeout(pollTimer);
    pollTimer = null;
  }

  async function pollOnce() {
    const headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    let response;
    try {
      response = await fetch(eventsUrl + "?after=" + encodeURIComponent(state.lastId), {
        headers: headers,
        cache: "no-store",
        credentials: "same-origin",
      });
    } catch (error) {
      failures += 1; // offline or the server is restarting: ask again, less often
      schedulePoll(interval());
      return;
    }
    if (response.status === 304) {
      failures = 0;
      schedulePoll(interval());
      return;
    }
    if (response.status === 403 || response.status === 404) {
      stop("You can no longer follow this map’s changes. Reload the page to see where you stand.");
      return;
    }
    if (!response.ok) {
      failures += 1;
      schedulePoll(interval());
      return;
    }
    failures = 0;
    const data = await response.json();
    etag = response.headers.get("ETag");
    receive(data.events || []);
    if (typeof data.last_id === "number" && (state.lastId === null || data.last_id > state.lastId)) {
      state.lastId = data.last_id;
    }
    schedulePoll(data.more ? 0 : interval());
  }

  function stop(message) {
    state.mode = "stopped";
    stopPolling();
    if (stream) stream.close();
    stream = null;
    if (message) notify(message, null, null);
  }

  // ------------------------------------------------------------------ notices

  function notify(text, href, linkText) {
    if (!notices) return;
    const item = document.createElement("div");
    item.className = "live-notice";
    const words = document.createElement("p");
    words.textContent = text + " ";
    if (href) {
      const link = document.createElement("a");
      link.href = href;
      link.textContent = linkText;
      words.appendChild(link);
    }
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "live-dismiss";
    dismiss.setAttribute("aria-label", "Dismiss this notice");
    dismiss.textContent = "×";
    item.append(words, dismiss);
    notices.appendChild(item);
    while (notices.children.length > MAX_NOTICES) notices.firstElementChild.remove();
    setTimeout(() => expire(item), NOTICE_MS);
  }

  function expire(item) {
    if (!item.isConnected) return;
    if (item.matches(":hover") || item.contains(document.activeElement)) {
      setTimeout(() => expire(item), NOTICE_MS / 2); // never pull a notice from under the reader
      return;
    }
    item.classList.add("leaving");
    setTimeout(() => item.remove(), 300);
  }

  function dismiss(item) {
    const hadFocus = item.contains(document.activeElement);
    const next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    if (hadFocus) {
      const target = next ? next.querySelector(".live-dismiss") : document.getElementById("main");
      if (target) {
        if (!next) target.setAttribute("tabindex", "-1");
        target.focus({ preventScroll: true });
      }
    }
  }

  if (notices) {
    notices.addEventListener("click", (event) => {
      const button = event.target.closest(".live-dismiss");
      if (button) dismiss(button.closest(".live-notice"));
    });
    notices.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && event.target.closest(".live-notice")) dismiss(event.target.closest(".live-notice"));
    });
  }

  function announce(events) {
    if (events.length <= MAX_SINGLE_NOTICES) {
      events.forEach((event) => notify(event.text + ".", event.url, "Show"));
      return;
    }
    const people = Array.from(new Set(events.map((event) => event.actor || "someone")));
    const who = people.length > 1 ? people.slice(0, -1).join(", ") + " and " + people[people.length - 1] : people[0];
    notify(events.length + " changes by " + who + ".", activityUrl, "See the activity");
  }

  // ------------------------------------------------------------------ refreshing the page

  let refreshTimer = null;
  let refreshing = false;
  let refreshAgain = false;
  let deferred = false;
  let goneTold = false;

  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      refresh();
    }, REFRESH_DELAY_MS);
  }

  function isTextField(el) {
    if (!el) return false;
    if (el.tagName === "TEXTAREA") return true;
    if (el.tagName !== "INPUT") return false;
    return !["checkbox", "radio", "button", "submit", "reset", "hidden", "file", "range", "color"].includes(el.type);
  }

  /** Someone is busy: a dialog is open, they are selecting words in a region the swap would replace
   * (with the mouse, or in the reader's caret mode), or typing unsaved words in a field of one. */
  function mustWait() {
    if (document.querySelector("dialog[open]")) return true;
    if (document.querySelector("[data-live-region] .caret-mode")) return true;
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed && selection.anchorNode) {
      const anchor = selection.anchorNode;
      const element = anchor.nodeType === Node.ELEMENT_NODE ? anchor : anchor.parentElement;
      if (element && element.closest("[data-live-region]")) return true;
    }
    const active = document.activeElement;
    if (active && active.isContentEditable && active.closest("[data-live-region]")) return true;
    return isTextField(active) && Boolean(active.closest("[data-live-region]")) && active.value !== active.defaultValue;
  }

  function wakeDeferred() {
    if (deferred) {
      deferred = false;
      scheduleRefresh();
    }
  }
  document.addEventListener("focusout", () => setTimeout(wakeDeferred, 0));
  document.addEventListener("close", () => setTimeout(wakeDeferred, 0), true); // a dialog closed
  setInterval(() => {
    if (deferred && !mustWait()) wakeDeferred();
  }, 1000);

  async function refresh() {
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    if (mustWait()) {
      deferred = true;
      return;
    }
    refreshing = true;
    try {
      const response = await fetch(window.location.href, {
        cache: "no-store",
        credentials: "same-origin",
        headers: { "X-Warrant-Live": "refresh" },
      });
      if (response.status === 404) {
        if (!goneTold) notify("What this page showed was deleted.", config.dataset.mapUrl || null, "Back to the map");
        goneTold = true;
        return;
      }
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      if (mustWait()) {
        deferred = true; // they started typing while the page was on its way
        return;
      }
      swapRegions(fresh);
      updateGraph(fresh);
      state.refreshes += 1;
      document.dispatchEvent(new CustomEvent("warrant:live-refreshed", { detail: { lastId: state.lastId } }));
    } catch (error) {
      // The next event brings another try.
    } finally {
      refreshing = false;
      if (refreshAgain) {
        refreshAgain = false;
        scheduleRefresh();
      }
    }
  }

  /** Keys for the <details> in `root` that match the same element in a fresh copy of it. */
  function detailsKeys(root) {
    const seen = new Map();
    const keys = new Map();
    root.querySelectorAll("details").forEach((details) => {
      const anchor = details.parentElement && details.parentElement.closest("[id]");
      const base = details.id || (anchor ? anchor.id : "") + ">" + details.className;
      const n = seen.get(base) || 0;
      seen.set(base, n + 1);
      keys.set(base + "#" + n, details);
    });
    return keys;
  }

  /** Forms in `root` by action (or id) and order, to match a form with its fresh copy. */
  function formKeys(root) {
    const seen = new Map();
    const keys = new Map();
    root.querySelectorAll("form").forEach((form) => {
      const base = form.id || form.getAttribute("action") || "";
      const n = seen.get(base) || 0;
      seen.set(base, n + 1);
      keys.set(base + "#" + n, form);
    });
    return keys;
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

  function snapshot(region) {
    const open = new Map();
    detailsKeys(region).forEach((details, key) => open.set(key, details.open));
    // A form someone has started to fill in survives whole, hidden version field included: saving it
    // must still be checked against the version they began from, never silently against the new one.
    const forms = new Map();
    formKeys(region).forEach((form, key) => {
      if (isDirty(form)) forms.set(key, form);
    });
    const active = document.activeElement;
    const focus = active && region.contains(active) && active.id ? active.id : null;
    return { open: open, forms: forms, focus: focus, text: region.textContent };
  }

  function restore(region, kept) {
    detailsKeys(region).forEach((details, key) => {
      if (kept.open.has(key)) details.open = kept.open.get(key);
    });
    formKeys(region).forEach((form, key) => {
      if (kept.forms.has(key)) form.replaceWith(kept.forms.get(key));
    });
    if (kept.focus) {
      const target = document.getElementById(kept.focus);
      if (target && region.contains(target)) target.focus({ preventScroll: true });
    }
  }

  function swapRegions(fresh) {
    document.querySelectorAll("[data-live-region][id]").forEach((region) => {
      const next = fresh.getElementById(region.id);
      if (!next || next.innerHTML === region.innerHTML) return;
      const kept = snapshot(region);
      region.innerHTML = next.innerHTML;
      restore(region, kept);
      if (window.htmx) window.htmx.process(region); // hx- attributes in the new content
      if (region.textContent !== kept.text) {
        region.classList.remove("live-fresh");
        void region.offsetWidth; // restart the glow
        region.classList.add("live-fresh");
      }
    });
  }

  function updateGraph(fresh) {
    const cy = window.warrantGraph;
    const block = fresh.getElementById("graph-data");
    if (!cy || !block) return;
    const data = JSON.parse(block.textContent);
    const wanted = new Map();
    data.nodes.forEach((node) => wanted.set(node.id, { group: "nodes", data: node }));
    data.edges.forEach((edge) => wanted.set(edge.id, { group: "edges", data: edge, selectable: false }));
    let moved = false;
    cy.batch(() => {
      cy.elements()
        .toArray()
        .forEach((element) => {
          const next = wanted.get(element.id());
          const ends = next && next.group === "edges" ? next.data : null;
          const relinked = ends && (element.data("source") !== ends.source || element.data("target") !== ends.target);
          if (!element.removed() && (!next || relinked)) {
            element.remove();
            moved = true;
          }
        });
      wanted.forEach((next, id) => {
        const element = cy.getElementById(id);
        if (element.empty()) {
          cy.add(next);
          moved = true;
        } else {
          element.data(next.data);
        }
      });
    });
    if (moved && cy.nodes().length) {
      const layout = {
        name: "dagre",
        rankDir: "BT",
        ranker: "longest-path",
        nodeSep: 24,
        rankSep: 64,
        edgeSep: 8,
        animate: false,
        fit: false,
      };
      cy.layout(Object.assign(layout, window.warrantGraphLayoutOptions || {})).run();
    }
    const current = document.getElementById("graph-data");
    if (current) current.textContent = block.textContent;
  }

  // ------------------------------------------------------------------ starting

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && state.mode === "polling") schedulePoll(0);
  });
  window.addEventListener("online", () => {
    if (state.mode === "polling") {
      failures = 0;
      schedulePoll(0);
    }
  });

  function subscribe() {
    if (streamRefused) startPolling();
    else openStream();
  }

  async function start() {
    if (state.lastId === null) {
      // The page did not say where the log stood: ask, and follow from there.
      try {
        const response = await fetch(eventsUrl, { cache: "no-store", credentials: "same-origin" });
        if (!response.ok) return;
        state.lastId = (await response.json()).last_id;
      } catch (error) {
        setTimeout(start, MAX_BACKOFF_MS);
        return;
      }
    }
    subscribe();
  }

  start();
})();
