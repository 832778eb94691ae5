"""Triggers refusing UPDATE and DELETE on the ledger tables (see sanxiang/ledger/guard.py)."""

from django.db import migrations


def _statements(kind):
    def run(apps, schema_editor):
        from sanxiang.ledger import guard

        vendor = schema_editor.connection.vendor
        make = guard.create_statements if kind == "create" else guard.drop_statements
        for statement in make(vendor):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_nodes_checkpoints")]

    operations = [migrations.RunPython(_statements("create"), _statements("drop"))]
