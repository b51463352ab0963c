/* A claim picker that finds claims by their words: the search box above a <select> hides the
 * options that do not contain every word typed. Without JavaScript the plain list still works. */

for (const box of document.querySelectorAll("input.claim-filter[data-filters]")) {
  const select = document.getElementById(box.dataset.filters);
  if (!select) continue;
  box.hidden = false;
  box.addEventListener("input", () => {
    const words = box.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    let first = null;
    for (const option of select.options) {
      const text = option.textContent.toLocaleLowerCase();
      const match = words.every((word) => text.includes(word));
      option.hidden = !match;
      if (match && !first) first = option;
    }
    if (first && (select.selectedIndex < 0 || select.options[select.selectedIndex].hidden)) first.selected = true;
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      select.focus();
    }
  });
}
