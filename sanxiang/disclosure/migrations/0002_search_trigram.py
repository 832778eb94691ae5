"""On PostgreSQL, a pg_trgm GIN index answers the portal's LIKE '%词%' search over published
decisions (Chinese has no word boundaries, so trigrams rather than a text-search dictionary).
SQLite has no such index; there the search is a scan, which suits one agency's data."""

from django.db import migrations


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS publication_search_trgm ON disclosure_publication "
        "USING gin (search_text gin_trgm_ops) WHERE status = 'published'"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS publication_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
