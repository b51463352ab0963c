"""A source's text history: every text it had, who replaced each one and how, and what changed.

`keep_revision` is called by sources.reanchor.reanchor_source, the one place a source's text changes,
just before the new text is written: the text being replaced becomes a SourceRevision. `history` reads
the revisions back as a list, newest first, the current text at the top, without loading any text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from .models import Source, SourceRevision


@dataclass(frozen=True)
class ParagraphChanges:
    added: int
    removed: int
    changed: int


def paragraph_changes(old: str, new: str) -> ParagraphChanges:
    """How many paragraphs (non-blank lines of the canonical text) an edit added, removed and changed.

    Paragraphs are compared whole, by hashing, so this stays quick on a book; a replaced run pairs its
    paragraphs one to one as changed, and the rest of the longer side counts as added or removed.
    """
    a = [line for line in old.split("\n") if line.strip()]
    b = [line for line in new.split("\n") if line.strip()]
    added = removed = changed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        old_n, new_n = i2 - i1, j2 - j1
        changed += min(old_n, new_n)
        added += max(0, new_n - old_n)
        removed += max(0, old_n - new_n)
    return ParagraphChanges(added, removed, changed)


def keep_revision(source: Source, *, new_text: str, replaced_by=None, restored: int | None = None) -> SourceRevision:
    """Keep `source`'s current text (as loaded) as a revision, about to be replaced by `new_text`.

    Call inside the transaction that writes the new text, with the source row locked.
    """
    changes = paragraph_changes(source.text, new_text)
    return SourceRevision.objects.create(
        source=source,
        revision=source.revision,
        sha256=source.sha256,
        length=len(source.text),
        replaced_by=replaced_by,
        restored=restored,
        paragraphs_added=changes.added,
        paragraphs_removed=changes.removed,
        paragraphs_changed=changes.changed,
        text=source.text,
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One text a source had (or has), as the history page lists it."""

    revision: int
    length: int
    current: bool
    made: datetime | None  # when this text became the source's text (None: not recorded)
    made_by_id: int | None
    made_by_name: str
    restored: int | None  # the earlier revision this text brought back, if it did
    changes: ParagraphChanges | None  # from the revision before it (None: the first, or not recorded)
    growth: int | None  # characters more (negative: fewer) than the revision before


def history(source: Source) -> list[HistoryEntry]:
    """The current text and every kept revision of `source`, newest first. One query (with the source's
    `added_by` loaded beforehand, as the first revision's author).

    Revision 1 was made when the source was added; a later one by the edit that replaced the revision
    before it, which that revision's row describes. A revision whose row is missing (deleted by an
    administrator, or made before history was kept) is left out, and the one after it has no author.
    """
    rows = {
        row.revision: row
        for row in SourceRevision.objects.filter(source=source)
        .select_related("replaced_by")
        .only(*ROW_FIELDS, "replaced_by__username")
    }
    lengths = {number: row.length for number, row in rows.items()}
    lengths[source.revision] = len(source.text)
    entries = []
    for number in sorted(lengths, reverse=True):
        before = rows.get(number - 1)  # describes the edit that made this revision
        if number == 1:
            made, by_id, by_name = source.created, source.added_by_id, _name(source.added_by)
        elif before is not None:
            made, by_id, by_name = before.replaced, before.replaced_by_id, _name(before.replaced_by)
        else:
            made, by_id, by_name = None, None, ""
        entries.append(
            HistoryEntry(
                revision=number,
                length=lengths[number],
                current=number == source.revision,
                made=made,
                made_by_id=by_id,
                made_by_name=by_name,
                restored=before.restored if before else None,
                changes=ParagraphChanges(before.paragraphs_added, before.paragraphs_removed, before.paragraphs_changed)
                if before
                else None,
                growth=lengths[number] - before.length if before else None,
            )
        )
    return entries


ROW_FIELDS = (
    "revision",
    "length",
    "replaced",
    "replaced_by",
    "restored",
    "paragraphs_added",
    "paragraphs_removed",
    "paragraphs_changed",
)


def _name(user) -> str:
    return user.get_username() if user is not None else ""
