/* Uploading documents into a map with progress (templates/arguments/_map_upload.html).
 *
 * Without this module the form posts every chosen file at once and the answer lists each one's outcome.
 * With it, each file goes in a request of its own (XMLHttpRequest, whose upload reports progress; fetch
 * does not), one after the other: every file gets its own progress bar and its own outcome, and a bad
 * or too large file fails alone. A file over the size limit is refused here, before it is sent.
 * Files dropped on the box are uploaded as if chosen.
 */

const form = document.querySelector("form.upload-form");

function formatSize(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function row(list, file) {
  const item = document.createElement("li");
  const name = document.createElement("strong");
  name.textContent = file.name;
  const bar = document.createElement("progress");
  bar.max = 100;
  bar.value = 0;
  bar.setAttribute("aria-label", `Upload of ${file.name}`);
  const status = document.createElement("span");
  status.className = "upload-status";
  status.textContent = ": waiting…";
  item.append(name, status, bar);
  list.append(item);
  return { item, bar, status };
}

function finish(entry, outcome) {
  entry.bar.remove();
  entry.item.classList.add(outcome.ok ? "upload-ok" : "upload-failed");
  entry.status.textContent = "";
  if (outcome.ok) {
    const link = document.createElement("a");
    link.href = outcome.url;
    link.textContent = "Read it in the map";
    entry.status.append(`: added as “${outcome.title}”. `, link);
  } else {
    entry.status.textContent = `: not added. ${outcome.error}`;
  }
}

function send(file, token, entry) {
  return new Promise((resolve) => {
    const body = new FormData();
    body.append("csrfmiddlewaretoken", token);
    body.append("files", file, file.name);
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRFToken", token);
    request.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      entry.bar.value = Math.round((event.loaded / event.total) * 100);
      entry.status.textContent = event.loaded < event.total ? `: ${entry.bar.value}% sent` : ": reading the document…";
    });
    request.addEventListener("load", () => {
      let outcome;
      try {
        outcome = JSON.parse(request.responseText).results[0];
      } catch {
        const why = request.status === 413 ? "The file is too large for the server." : `The server answered ${request.status}.`;
        outcome = { ok: false, error: `${why} Try again, or reload the page.` };
      }
      resolve(outcome);
    });
    request.addEventListener("error", () => resolve({ ok: false, error: "The connection failed. Try again." }));
    request.send(body);
  });
}

async function upload(event) {
  const input = form.querySelector("input[type=file]");
  const files = Array.from(input.files);
  if (!files.length) return; // the server says "choose one or more files"
  event.preventDefault();
  const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const maxBytes = Number(form.dataset.maxBytes);
  const button = form.querySelector("button[type=submit]");
  const list = form.querySelector(".upload-list");
  list.hidden = false;
  list.replaceChildren();
  form.querySelector(".upload-summary")?.remove();
  button.disabled = true;
  input.disabled = true;
  const entries = files.map((file) => row(list, file));
  let added = 0;
  for (const [index, file] of files.entries()) {
    const entry = entries[index];
    let outcome;
    if (maxBytes && file.size > maxBytes) {
      outcome = { ok: false, error: `This file is ${formatSize(file.size)}, over the ${formatSize(maxBytes)} limit.` };
    } else if (file.size === 0) {
      outcome = { ok: false, error: "The file is empty." };
    } else {
      entry.status.textContent = ": sending…";
      outcome = await send(file, token, entry);
    }
    finish(entry, outcome);
    if (outcome.ok) added += 1;
  }
  const summary = document.createElement("p");
  summary.className = "upload-summary";
  summary.setAttribute("role", "status");
  summary.textContent = `Added ${added} of ${files.length} document${files.length === 1 ? "" : "s"} to the map. `;
  if (added) {
    const back = document.createElement("a");
    back.href = form.closest("main").querySelector(".breadcrumbs a:nth-of-type(2)")?.href ?? "../";
    back.textContent = "Back to the map";
    summary.append(back);
  }
  list.after(summary);
  input.value = "";
  input.disabled = false;
  button.disabled = false;
}

if (form) {
  form.addEventListener("submit", upload);
  const zone = form.querySelector(".drop-zone");
  const input = form.querySelector("input[type=file]");
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    if (!event.dataTransfer?.files.length) return;
    input.files = event.dataTransfer.files;
    form.requestSubmit();
  });
}
