"""Refuse an entry inserted with its own ``seq`` (a forged position; ``triggers.py``)."""

from django.db import migrations


def install(apps, schema_editor):
    from sanxiang.ledger import triggers

    vendor = schema_editor.connection.vendor
    statements = [triggers.SQLITE_PRESET] if vendor == "sqlite" else triggers.PG_PRESET
    for sql in statements:
        schema_editor.execute(sql)


def remove(apps, schema_editor):
    from sanxiang.ledger import triggers

    for sql in triggers.PRESET_DROP[schema_editor.connection.vendor]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_cosignatures")]

    operations = [migrations.RunPython(install, remove)]
