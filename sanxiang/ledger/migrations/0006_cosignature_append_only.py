"""Witnesses' cosignatures are insert-only like the rest of the ledger (see guard.py)."""

from django.db import migrations


def install(apps, schema_editor):
    from sanxiang.ledger import guard

    for statement in guard.later_create_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    from sanxiang.ledger import guard

    for statement in guard.later_drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_no_preset_seq")]

    operations = [migrations.RunPython(install, remove)]
