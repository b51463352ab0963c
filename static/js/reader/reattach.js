/* Re-attaching an orphaned passage (one that lost its words when the source's text was edited).
 *
 * "Re-attach…" on an orphan starts re-attach mode (a banner says so); the next selection, by mouse or
 * caret mode, opens the re-attach dialog instead of the annotate dialog, which posts the new words'
 * offsets and the passage's version. Escape or the banner's button cancels.
 */
import { docWrap } from "./offsets.js";
import { showDialogAt } from "./dialog.js";

let orphan = null; // {id, version, url, quote} of the orphan being re-attached

export const reattaching = () => orphan !== null;

/** Mark the chosen orphan in the list (again, after the list was refreshed). */
export function markReattaching() {
  document.querySelectorAll(".orphan.is-reattaching").forEach((el) => el.classList.remove("is-reattaching"));
  if (orphan) document.getElementById(`orphan-${orphan.id}`)?.classList.add("is-reattaching");
}

export function startReattach(link) {
  const item = link.closest("[data-orphan]");
  orphan = {
    id: link.dataset.reattach,
    version: link.dataset.version,
    url: link.getAttribute("href"),
    quote: item?.querySelector(".quote")?.textContent.replace(/^“|”$/g, "") ?? "",
  };
  const banner = document.getElementById("reattach-banner");
  if (banner) {
    document.getElementById("reattach-banner-quote").textContent = orphan.quote;
    banner.hidden = false;
  }
  markReattaching();
  const wrap = docWrap();
  wrap?.focus({ preventScroll: true });
  wrap?.scrollIntoView({ block: "nearest" });
}

/** End re-attach mode; `refocus` puts focus back on the orphan's link. */
export function stopReattach({ refocus = true } = {}) {
  const id = orphan?.id;
  orphan = null;
  const banner = document.getElementById("reattach-banner");
  if (banner) banner.hidden = true;
  markReattaching();
  const button = document.getElementById("annotate-float");
  if (button) button.hidden = true;
  if (refocus && id) document.querySelector(`#orphan-${id} [data-reattach]`)?.focus();
}

/** After a refresh: the orphan stays chosen if it is still an orphan; otherwise re-attach mode ends. */
export function keepReattaching() {
  if (orphan && !document.getElementById(`orphan-${orphan.id}`)) stopReattach({ refocus: false });
  else markReattaching();
}

export function openReattachDialog(info) {
  const dialog = document.getElementById("reattach-dialog");
  const form = document.getElementById("reattach-form");
  if (!dialog || !form || !info || !orphan) return;
  form.setAttribute("action", orphan.url);
  document.getElementById("reattach-start16").value = String(info.start);
  document.getElementById("reattach-end16").value = String(info.end);
  document.getElementById("reattach-version").value = orphan.version;
  document.getElementById("reattach-exact").value = info.exact;
  document.getElementById("reattach-old").textContent = `“${orphan.quote}”`;
  showDialogAt(dialog, info.rect, form.querySelector('button[type="submit"]'));
}
