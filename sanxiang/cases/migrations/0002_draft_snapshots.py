"""Immutable draft snapshots (cases.snapshots) and the snapshot a decision was made on.

Existing drafts get their first snapshot here, and decided cases the hash of it. A review
round passed before this migration reviewed the older, narrower fingerprint (without the
text); such a case needs a new round before it can be decided (it is not yet decided), which
is the point: the text was never covered.
The snapshot table refuses UPDATE at the database (DELETE of a snapshot the ledger names is
reported by ``verify_ledger``).
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

REFUSAL = "snapshot_immutable: 决定草稿快照不得修改"
SQLITE_CREATE = (
    "CREATE TRIGGER cases_draftsnapshot_no_update BEFORE UPDATE ON cases_draftsnapshot "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END;"
)
PG_CREATE = [
    "CREATE OR REPLACE FUNCTION cases_draftsnapshot_guard() RETURNS trigger "
    f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$;",
    "CREATE TRIGGER cases_draftsnapshot_no_update BEFORE UPDATE ON cases_draftsnapshot "
    "FOR EACH ROW EXECUTE FUNCTION cases_draftsnapshot_guard();",
]
DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS cases_draftsnapshot_no_update;"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS cases_draftsnapshot_no_update ON cases_draftsnapshot;",
        "DROP FUNCTION IF EXISTS cases_draftsnapshot_guard();",
    ],
}


def snapshot_existing(apps, schema_editor):
    """First snapshots of the drafts saved before snapshots existed (format 1, as snapshots.py)."""
    import hashlib
    from decimal import Decimal

    from sanxiang.lib.canonical import canonical_bytes

    draft_model = apps.get_model("cases", "DecisionDraft")
    party_model = apps.get_model("cases", "Party")
    snapshot_model = apps.get_model("cases", "DraftSnapshot")
    case_model = apps.get_model("cases", "Case")

    def fields(instance, skip):
        out = {}
        for f in type(instance)._meta.concrete_fields:
            if f.name in skip:
                continue
            value = getattr(instance, f.attname)
            if isinstance(f, models.DecimalField) and value is not None:
                value = format(Decimal(value).quantize(Decimal(1).scaleb(-f.decimal_places)), "f")
            out[f.attname] = value
        return out

    for draft in draft_model.objects.select_related("case").iterator():
        case = draft.case
        payload = {
            "format": 1,
            "case_id": case.pk,
            "case_number": case.number,
            "draft": fields(draft, {"id", "case", "revision", "fingerprint", "updated_at"}),
            "parties": [
                fields(p, {"id", "case"}) for p in party_model.objects.filter(case=case).order_by("pk")
            ],
        }
        body = canonical_bytes(payload)
        digest = hashlib.sha256(body).hexdigest()
        snapshot_model.objects.get_or_create(
            hash=digest,
            defaults={"case": case, "revision": draft.revision, "payload": body.decode()},
        )
        draft_model.objects.filter(pk=draft.pk).update(fingerprint=digest)
        if case.decided_on is not None:
            case_model.objects.filter(pk=case.pk).update(decided_snapshot=digest)


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = [SQLITE_CREATE] if vendor == "sqlite" else PG_CREATE
    for sql in statements:
        schema_editor.execute(sql)


def remove(apps, schema_editor):
    for sql in DROP[schema_editor.connection.vendor]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='decided_snapshot',
            field=models.CharField(blank=True, max_length=64, verbose_name='决定所依草稿摘要'),
        ),
        migrations.CreateModel(
            name='DraftSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hash', models.CharField(max_length=64, unique=True, verbose_name='内容摘要')),
                ('revision', models.PositiveIntegerField(verbose_name='修订版次')),
                ('payload', models.TextField(verbose_name='内容(规范JSON)')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='保存时间')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='snapshots', to='cases.case')),
            ],
            options={
                'verbose_name': '决定草稿快照',
                'verbose_name_plural': '决定草稿快照',
                'ordering': ['case', 'revision'],
            },
        ),
        migrations.RunPython(snapshot_existing, migrations.RunPython.noop),
        migrations.RunPython(install, remove),
    ]
