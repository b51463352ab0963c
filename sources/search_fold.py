"""The folding that search applies to indexed text and to queries alike, so spelling variants meet.

Two rules, nothing else:
- a hyphen between two word characters is removed, with the line break after it if any: "peace-keeping"
  and "peacekeeping" are one word, so are "self-defense" and "selfdefense", and a word hyphenated at
  a line end in text extracted from print ("adminis-\ntration") is whole again;
- a word ending in "ence" ends in "ense": "self-defence" and "self-defense", "licence" and "license".
  Applied to both sides, it changes nothing else ("evidence" is indexed and asked for as "evidense").

The same rules exist twice: here (queries, snippets, and SQLite, where `register` gives every
connection a `warrant_fold` SQL function that the search triggers call) and as a PostgreSQL SQL
function of that name, created by sources migration 0005 for the expression indexes. Changing the
rules needs a migration that recreates that function and rebuilds the indexes and the FTS5 tables.
"""

import re

from django.db.backends.signals import connection_created

HYPHEN = re.compile(r"(?<=\w)[-\u2010\u2011](?:[ \t]*\n[ \t]*)?(?=\w)")
ENCE = re.compile(r"(?<=\w)ence(?!\w)", re.IGNORECASE)

POSTGRES_FUNCTION = r"""
CREATE OR REPLACE FUNCTION warrant_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(
    regexp_replace(COALESCE(value, ''), '(?<=\w)[-\u2010\u2011](?:[ \t]*\n[ \t]*)?(?=\w)', '', 'g'),
    '(?<=\w)ence(?!\w)', 'ense', 'gi')
$$
"""


def fold(text: str | None) -> str:
    return ENCE.sub("ense", HYPHEN.sub("", text or ""))


def _register(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("warrant_fold", 1, fold, deterministic=True)


def register() -> None:
    """Give every new SQLite connection the `warrant_fold` function (called from the app's ready())."""
    connection_created.connect(_register, dispatch_uid="warrant_fold")


# SQLite keeps each searchable column's FTS5 table in step with triggers (sources 0005, arguments 0004).
# A migration that makes SQLite rebuild one of these tables (a new column with a default, a changed
# constraint) drops its triggers with the old table, so such a migration ends by calling this.
SQLITE_SEARCHED = {
    "sources_source": ("text", "search_source"),
    "sources_passage": ("exact", "search_passage"),
    "arguments_claim": ("text", "search_claim"),
}


def restore_sqlite_triggers(schema_editor, table: str) -> None:
    """Make the search triggers of `table` again, where missing (SQLite only; nothing elsewhere)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    column, fts = SQLITE_SEARCHED[table]
    for statement in (
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, body) VALUES (new.id, warrant_fold(new.{column})); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {column} ON {table} BEGIN "
        f"UPDATE {fts} SET body = warrant_fold(new.{column}) WHERE rowid = new.id; END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = old.id; END",
    ):
        schema_editor.execute(statement)
