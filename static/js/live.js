/* Live updates on a map's pages (docs/live-updates.md): this module only says that the map changed.
 *
 * A page that shows a map carries a hidden [data-live-map] element (templates/arguments/_live.html)
 * naming the map's event feed, its stream, and the id of the newest event when the page was made.
 * This module follows the events after that id:
 *   - through the SSE stream when the server can push (ASGI on PostgreSQL); the browser reconnects a
 *     dropped stream by itself and sends Last-Event-ID, so the server resends what was missed;
 *   - otherwise by polling the feed about once a second with `?after=<last id>` and the ETag of the
 *     last answer in If-None-Match, so that an idle page is answered "304 Not Modified" every time.
 *     A stream that answers 204 (WSGI, SQLite) means "poll instead".
 * For each batch of events it shows a quiet notice for those by someone else (who did what, with a
 * link), then dispatches one "warrant:map-changed" event on <body> whose detail lists the events
 * ({id, verb, object_type, object_id, actor}) and the newest id. Regions of the page refresh
 * themselves on that event (regions.js, templates/_live_region.html).
 *
 * Its state is on the [data-live-map] element, for the tests and the benchmark: data-live-mode
 * ("stream", "polling", "stopped") and data-last-event (the newest event id seen).
 */

const config = document.querySelector("[data-live-map]");

const POLL_MS = 1000;
const HIDDEN_POLL_MS = 5000; // a tab in the background asks less often
const MAX_BACKOFF_MS = 15000;
const STREAM_RETRY_MS = 30000; // after a stream failed, try it again this much later
const GATHER_MS = 80; // events pushed one by one within this time are announced as one change
const NOTICE_MS = 12000;
const MAX_NOTICES = 4;
const MAX_SINGLE_NOTICES = 3; // more events at once are told as one summary

// ------------------------------------------------------------------ notices

const notices = document.getElementById("live-notices");

function notify(text, href, linkText) {
  if (!notices) return;
  const item = document.createElement("div");
  item.className = "live-notice";
  const words = document.createElement("p");
  words.textContent = `${text} `;
  if (href) {
    const link = document.createElement("a");
    link.href = href;
    link.textContent = linkText;
    words.append(link);
  }
  const dismissButton = document.createElement("button");
  dismissButton.type = "button";
  dismissButton.className = "live-dismiss";
  dismissButton.setAttribute("aria-label", "Dismiss this notice");
  dismissButton.textContent = "×";
  item.append(words, dismissButton);
  notices.append(item);
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
  if (!hadFocus) return;
  const target = next ? next.querySelector(".live-dismiss") : document.getElementById("main");
  if (!target) return;
  if (!next) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
}

notices?.addEventListener("click", (event) => {
  const button = event.target.closest(".live-dismiss");
  if (button) dismiss(button.closest(".live-notice"));
});
notices?.addEventListener("keydown", (event) => {
  const item = event.target.closest(".live-notice");
  if (event.key === "Escape" && item) dismiss(item);
});

// Other modules ask for a notice with this event (regions.js: "what this page showed was deleted").
document.body.addEventListener("warrant:notice", (event) => {
  const { text, href, link } = event.detail;
  notify(text, href || null, link);
});

function announce(events) {
  if (events.length <= MAX_SINGLE_NOTICES) {
    for (const event of events) notify(`${event.text}.`, event.url, "Show");
    return;
  }
  const people = [...new Set(events.map((event) => event.actor || "someone"))];
  const who = people.length > 1 ? `${people.slice(0, -1).join(", ")} and ${people.at(-1)}` : people[0];
  notify(`${events.length} changes by ${who}.`, config.dataset.activityUrl, "See the activity");
}

// ------------------------------------------------------------------ following the map

function follow() {
  const eventsUrl = config.dataset.eventsUrl;
  const streamUrl = config.dataset.streamUrl;
  const me = config.dataset.user || "";
  let lastId = config.dataset.lastEvent === "" ? null : Number(config.dataset.lastEvent);
  let mode = "starting";
  let etag = null;
  let pollTimer = null;
  let failures = 0;
  let stream = null;
  let streamRefused = !window.EventSource || !streamUrl;
  let gathered = [];
  let gatherTimer = null;

  const setMode = (next) => {
    mode = next;
    config.dataset.liveMode = next;
  };

  const feedUrl = () => `${eventsUrl}?after=${encodeURIComponent(lastId)}`;

  function dispatch() {
    gatherTimer = null;
    const batch = gathered;
    gathered = [];
    const others = batch.filter((event) => !me || event.actor !== me);
    if (others.length) announce(others);
    const detail = {
      lastId,
      events: batch.map(({ id, verb, object_type, object_id, actor }) => ({ id, verb, object_type, object_id, actor })),
    };
    document.body.dispatchEvent(new CustomEvent("warrant:map-changed", { detail }));
  }

  function receive(events) {
    const fresh = events.filter((event) => lastId === null || event.id > lastId);
    if (!fresh.length) return;
    lastId = fresh.at(-1).id;
    config.dataset.lastEvent = String(lastId);
    gathered.push(...fresh);
    gatherTimer ??= setTimeout(dispatch, GATHER_MS);
  }

  // ---------------------------------------------------------------- the stream

  function openStream() {
    stopPolling();
    let opened = false;
    const source = new EventSource(`${streamUrl}?after=${encodeURIComponent(lastId)}`);
    stream = source;
    source.onopen = () => {
      opened = true;
      failures = 0;
      setMode("stream");
    };
    source.onmessage = (message) => {
      try {
        receive([JSON.parse(message.data)]);
      } catch {
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
    if (mode === "polling" && !stream) openStream();
  }

  // ---------------------------------------------------------------- polling

  function interval() {
    if (failures) return Math.min(POLL_MS * 2 ** failures, MAX_BACKOFF_MS);
    return document.hidden ? HIDDEN_POLL_MS : POLL_MS;
  }

  function schedulePoll(delay) {
    clearTimeout(pollTimer);
    if (mode === "polling") pollTimer = setTimeout(pollOnce, delay);
  }

  function startPolling() {
    setMode("polling");
    schedulePoll(0);
  }

  function stopPolling() {
    clearTimeout(pollTimer);
    pollTimer = null;
  }

  async function pollOnce() {
    // The validators are ours: `after` names what this page has seen and If-None-Match carries the
    // feed's last ETag, so the server answers 304 without reading any event. The browser's own cache
    // stays out of it ("no-store"); it would only keep a copy of every answer.
    const headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    let response;
    try {
      response = await fetch(feedUrl(), { headers, cache: "no-store", credentials: "same-origin" });
    } catch {
      failures += 1; // offline or the server is restarting: ask again, less often
      schedulePoll(interval());
      return;
    }
    etag = response.headers.get("ETag") || etag;
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
    receive(data.events || []);
    if (typeof data.last_id === "number" && (lastId === null || data.last_id > lastId)) {
      lastId = data.last_id;
      config.dataset.lastEvent = String(lastId);
    }
    schedulePoll(data.more ? 0 : interval());
  }

  function stop(message) {
    setMode("stopped");
    stopPolling();
    stream?.close();
    stream = null;
    if (message) notify(message, null, null);
  }

  // ---------------------------------------------------------------- starting

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && mode === "polling") schedulePoll(0);
  });
  window.addEventListener("online", () => {
    if (mode !== "polling") return;
    failures = 0;
    schedulePoll(0);
  });

  async function start() {
    if (lastId === null) {
      // The page did not say where the log stood: ask, and follow from there.
      try {
        const response = await fetch(eventsUrl, { cache: "no-store", credentials: "same-origin" });
        if (!response.ok) return;
        lastId = (await response.json()).last_id;
        config.dataset.lastEvent = String(lastId);
      } catch {
        setTimeout(start, MAX_BACKOFF_MS);
        return;
      }
    }
    if (streamRefused) startPolling();
    else openStream();
  }

  start();
}

if (config && window.fetch) follow();
