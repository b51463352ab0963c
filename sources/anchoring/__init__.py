"""Finding quotes in a canonical text, and finding them again after the text changes.

Pure functions over plain strings (no ORM, no Django, so they are quick to test), one concern a module:

* `quotes`: find a quote once (`locate_quote`), and the context stored beside it (`context_for`).
* `diff`: diff two revisions of a text (`diff_texts`) and carry offsets through the diff (`OffsetMap`).
* `fuzzy`: how alike two stretches of text are, and where a lightly edited quote may now stand.
* `placement`: `reanchor` places every passage (`Selector`) of the old text in the new one
  (`Placement`), using `diff` first, then a verbatim search, then `fuzzy`, and decides which place
  to trust. `sources.reanchor` is its database side: it reads and writes a source's passages.

The names below are the package's public API (what `arguments` uses); code inside `sources` and the
tests import from the module that owns a name.
"""

from .placement import Placement, Selector, reanchor
from .quotes import QuoteNotFound, context_for, locate_quote

__all__ = ["Placement", "QuoteNotFound", "Selector", "context_for", "locate_quote", "reanchor"]
