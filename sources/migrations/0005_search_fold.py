"""Search over folded, stemmed text on both databases (see sources/search_fold.py and docs/search.md).

PostgreSQL: a `warrant_fold` SQL function, and the GIN indexes of 0002 rebuilt on
to_tsvector('english', warrant_fold(column)), the expression arguments/search.py matches on.

SQLite: FTS5 tables with the porter tokenizer, one row per source text (search_source) and per passage
quote (search_passage), rowid = the row's id, kept in sync by triggers. Triggers rather than signals
because they also see bulk updates and deletes (QuerySet.update, cascades), which signals miss. The
triggers call `warrant_fold`, a function every SQLite connection of the app is given (SourcesConfig.ready).
"""

from django.db import migrations

from sources.search_fold import POSTGRES_FUNCTION

# index name: (table, column, FTS5 table on SQLite)
TABLES = {
    "sources_passage_exact_fts": ("sources_passage", "exact", "search_passage"),
    "sources_source_text_fts": ("sources_source", "text", "search_source"),
}


def sqlite_statements(table: str, column: str, fts: str) -> list[str]:
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(body, tokenize = 'porter unicode61')",
        f"INSERT INTO {fts}(rowid, body) SELECT id, warrant_fold({column}) FROM {table}",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, body) VALUES (new.id, warrant_fold(new.{column})); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {column} ON {table} BEGIN "
        f"UPDATE {fts} SET body = warrant_fold(new.{column}) WHERE rowid = new.id; END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = old.id; END",
    ]


def sqlite_drop(fts: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {fts}_{event}" for event in ("insert", "update", "delete")] + [
        f"DROP TABLE IF EXISTS {fts}"
    ]


def postgres_index(name: str, table: str, column: str) -> list[str]:
    return [
        f"DROP INDEX IF EXISTS {name}",
        f"CREATE INDEX {name} ON {table} USING gin (to_tsvector('english'::regconfig, warrant_fold({column})))",
    ]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
        for name, (table, column, _) in TABLES.items():
            for statement in postgres_index(name, table, column):
                schema_editor.execute(statement)
    elif vendor == "sqlite":
        for table, column, fts in TABLES.values():
            for statement in sqlite_statements(table, column, fts):
                schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, (table, column, _) in TABLES.items():
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
            schema_editor.execute(
                f"CREATE INDEX {name} ON {table} USING gin (to_tsvector('english'::regconfig, COALESCE({column}, '')))"
            )
        schema_editor.execute("DROP FUNCTION IF EXISTS warrant_fold(text)")
    elif vendor == "sqlite":
        for _, _, fts in TABLES.values():
            for statement in sqlite_drop(fts):
                schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("sources", "0004_one_passage_per_span")]
    operations = [migrations.RunPython(forward, backward)]
