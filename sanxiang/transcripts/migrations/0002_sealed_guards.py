"""Refuse UPDATE and DELETE of a sealed 笔录 and any change to its people (``triggers.py``)."""

from django.db import migrations


def install(apps, schema_editor):
    from sanxiang.transcripts import triggers

    for sql in triggers.install(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def remove(apps, schema_editor):
    from sanxiang.transcripts import triggers

    for sql in triggers.DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("transcripts", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
