"""The decision gate trigger also binds the decision to the reviewed snapshot (issue 9, item 2).

A major case may enter 'decision', or have the snapshot it was decided on changed, only when
the latest review round is 'passed' and covers exactly that snapshot: the round's hash equals
the draft's current hash and ``cases_case.decided_snapshot``. A raw UPDATE that moves the stage
without naming the reviewed snapshot, or swaps the decided snapshot afterwards, is refused.
"""

from django.db import migrations

MESSAGE = "legal_review_required: major decision not bound to a passed review of this snapshot"

PASSED_ON_SNAPSHOT = """
SELECT 1 FROM review_casereview cr
JOIN review_reviewround r ON r.review_id = cr.id
JOIN cases_decisiondraft d ON d.case_id = cr.case_id
WHERE cr.case_id = NEW.id
  AND r.status = 'passed'
  AND r.fingerprint = d.fingerprint
  AND r.fingerprint = NEW.decided_snapshot
  AND r.number = (SELECT MAX(r2.number) FROM review_reviewround r2 WHERE r2.review_id = cr.id)
"""
IS_MAJOR = "SELECT 1 FROM review_casereview cm WHERE cm.case_id = NEW.id AND cm.major"

SQLITE_CREATE = f"""
CREATE TRIGGER review_decision_gate
BEFORE UPDATE OF stage, decided_snapshot ON cases_case
FOR EACH ROW
WHEN ((NEW.stage = 'decision' AND OLD.stage <> 'decision')
      OR NEW.decided_snapshot IS NOT OLD.decided_snapshot)
  AND EXISTS ({IS_MAJOR})
  AND NOT EXISTS ({PASSED_ON_SNAPSHOT})
BEGIN
  SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS review_decision_gate;"

POSTGRES_CREATE = [
    f"""
CREATE OR REPLACE FUNCTION review_decision_gate() RETURNS trigger AS $$
BEGIN
  IF EXISTS ({IS_MAJOR}) AND NOT EXISTS ({PASSED_ON_SNAPSHOT}) THEN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""",
    """
CREATE TRIGGER review_decision_gate
BEFORE UPDATE OF stage, decided_snapshot ON cases_case
FOR EACH ROW
WHEN ((NEW.stage = 'decision' AND OLD.stage IS DISTINCT FROM 'decision')
      OR NEW.decided_snapshot IS DISTINCT FROM OLD.decided_snapshot)
EXECUTE FUNCTION review_decision_gate();
""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS review_decision_gate ON cases_case;",
    "DROP FUNCTION IF EXISTS review_decision_gate();",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [SQLITE_DROP, SQLITE_CREATE])
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP + POSTGRES_CREATE)
    else:
        raise NotImplementedError(f"decision gate trigger not written for {vendor}")


def back_to_0002(apps, schema_editor):
    import importlib

    previous = importlib.import_module("sanxiang.review.migrations.0002_decision_gate_trigger")
    vendor = schema_editor.connection.vendor
    _run(schema_editor, [SQLITE_DROP] if vendor == "sqlite" else POSTGRES_DROP)
    previous.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0002_decision_gate_trigger"),
        ("cases", "0002_draft_snapshots"),
    ]

    operations = [migrations.RunPython(create, back_to_0002)]
