"""On PostgreSQL, an index for search words of one or two characters, which have no trigram.

``search_pairs`` (a generated column, PostgreSQL only; the model does not know it) holds every
pair of adjacent characters of ``search_text`` as a word of its own: `` 郭某 张三`` from the
characters at even positions and `` 某张 三…`` from those at odd positions. A pg_trgm GIN
index on it then answers ``LIKE '% 郭某 %'`` (a two-character word: the trigrams `` 郭某`` and
``郭某 ``) and ``LIKE '% 郭%'`` (one character: the word-start trigram ``  郭``), and the recheck
reads the stored column instead of recomputing it (queries._short_word_ids). SQLite keeps its
plain scan. Built without CONCURRENTLY: on a large table, build it in a maintenance window."""

from django.db import migrations

# Written out in the column (no SQL function to keep in step): about 40 µs a row on INSERT.
PAIRS = (
    "' ' || regexp_replace(search_text, '(..)', '\\1 ', 'g') || ' ' "
    "|| regexp_replace(substr(search_text, 2), '(..)', '\\1 ', 'g') || ' '"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE disclosure_publication ADD COLUMN IF NOT EXISTS search_pairs text "
        f"GENERATED ALWAYS AS ({PAIRS}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS publication_search_pairs_trgm ON disclosure_publication "
        "USING gin (search_pairs gin_trgm_ops) WHERE status = 'published'"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS publication_search_pairs_trgm")
    schema_editor.execute("ALTER TABLE disclosure_publication DROP COLUMN IF EXISTS search_pairs")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0007_mask_override")]

    operations = [migrations.RunPython(forwards, backwards)]
