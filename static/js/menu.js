// The site header on a narrow screen: the main links and the account fold behind a Menu button.
// Without scripts the menu is shown open (static/css/noscript.css). The button says whether the menu
// is open (aria-expanded); Escape closes it and gives the focus back to the button; a click or focus
// anywhere outside the header closes it too.
const header = document.querySelector(".site-header");
const button = header?.querySelector(".menu-toggle");
const menu = header?.querySelector(".site-menu");

function setOpen(open, { focusButton = false } = {}) {
  button.setAttribute("aria-expanded", String(open));
  if (!open && focusButton) button.focus();
}

if (header && button && menu) {
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  header.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false, { focusButton: true });
    }
  });
  for (const type of ["click", "focusin"]) {
    document.addEventListener(type, (event) => {
      if (!header.contains(event.target)) setOpen(false);
    });
  }
}

// The map's tabs scroll sideways on a phone: the current one is brought into view.
const current = document.querySelector('.map-tabs [aria-current="page"]');
const tabs = current?.closest(".map-tabs");
if (tabs && tabs.scrollWidth > tabs.clientWidth) {
  tabs.scrollLeft = current.offsetLeft - (tabs.clientWidth - current.offsetWidth) / 2;
}
