"""Search over folded, stemmed claim texts: the PostgreSQL index of 0002 on warrant_fold(text), or on
SQLite an FTS5 table `search_claim` kept in sync by triggers (the reasons are in sources 0005)."""

from django.db import migrations

from sources.search_fold import POSTGRES_FUNCTION

INDEX = "arguments_claim_text_fts"
SQLITE = {
    "forward": [
        "CREATE VIRTUAL TABLE IF NOT EXISTS search_claim USING fts5(body, tokenize = 'porter unicode61')",
        "INSERT INTO search_claim(rowid, body) SELECT id, warrant_fold(text) FROM arguments_claim",
        "CREATE TRIGGER IF NOT EXISTS search_claim_insert AFTER INSERT ON arguments_claim BEGIN "
        "INSERT INTO search_claim(rowid, body) VALUES (new.id, warrant_fold(new.text)); END",
        "CREATE TRIGGER IF NOT EXISTS search_claim_update AFTER UPDATE OF text ON arguments_claim BEGIN "
        "UPDATE search_claim SET body = warrant_fold(new.text) WHERE rowid = new.id; END",
        "CREATE TRIGGER IF NOT EXISTS search_claim_delete AFTER DELETE ON arguments_claim BEGIN "
        "DELETE FROM search_claim WHERE rowid = old.id; END",
    ],
    "backward": [
        "DROP TRIGGER IF EXISTS search_claim_insert",
        "DROP TRIGGER IF EXISTS search_claim_update",
        "DROP TRIGGER IF EXISTS search_claim_delete",
        "DROP TABLE IF EXISTS search_claim",
    ],
}


def run(direction: str):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            for statement in SQLITE[direction]:
                schema_editor.execute(statement)
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
            if direction == "forward":
                schema_editor.execute(POSTGRES_FUNCTION)
                expression = "warrant_fold(text)"
            else:
                expression = "COALESCE(text, '')"
            schema_editor.execute(
                f"CREATE INDEX {INDEX} ON arguments_claim USING gin (to_tsvector('english'::regconfig, {expression}))"
            )

    return operation


class Migration(migrations.Migration):
    dependencies = [("arguments", "0003_link_suggestion_decision"), ("sources", "0005_search_fold")]
    operations = [migrations.RunPython(run("forward"), run("backward"))]
