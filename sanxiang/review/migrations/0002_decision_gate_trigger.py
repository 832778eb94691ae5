"""The database backstop of the legal-review gate (行政处罚法 第58条).

A trigger on cases_case refuses an UPDATE that moves a case into the 'decision' stage when the
case's review file is marked major, unless the latest review round is 'passed' and was given on
the draft's current fingerprint. It catches writes that bypass the service layer (raw SQL, a
buggy script); the service's guard gives the same refusal with a readable message first.
The error is SQLSTATE 23514 (check_violation) on PostgreSQL and a constraint error on SQLite, so
Django raises IntegrityError on both.
"""

from django.db import migrations

MESSAGE = "legal_review_required: major decision without a passing legal review of this draft"

# A passed latest round on the current draft (shared by both vendors).
PASSED_ON_DRAFT = """
SELECT 1 FROM review_casereview cr
JOIN review_reviewround r ON r.review_id = cr.id
JOIN cases_decisiondraft d ON d.case_id = cr.case_id
WHERE cr.case_id = NEW.id
  AND r.status = 'passed'
  AND r.fingerprint = d.fingerprint
  AND r.number = (SELECT MAX(r2.number) FROM review_reviewround r2 WHERE r2.review_id = cr.id)
"""
IS_MAJOR = "SELECT 1 FROM review_casereview cm WHERE cm.case_id = NEW.id AND cm.major"

SQLITE_CREATE = f"""
CREATE TRIGGER review_decision_gate
BEFORE UPDATE OF stage ON cases_case
FOR EACH ROW
WHEN NEW.stage = 'decision' AND OLD.stage <> 'decision'
  AND EXISTS ({IS_MAJOR})
  AND NOT EXISTS ({PASSED_ON_DRAFT})
BEGIN
  SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS review_decision_gate;"

POSTGRES_CREATE = [
    f"""
CREATE OR REPLACE FUNCTION review_decision_gate() RETURNS trigger AS $$
BEGIN
  IF EXISTS ({IS_MAJOR}) AND NOT EXISTS ({PASSED_ON_DRAFT}) THEN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""",
    """
CREATE TRIGGER review_decision_gate
BEFORE UPDATE OF stage ON cases_case
FOR EACH ROW
WHEN (NEW.stage = 'decision' AND OLD.stage IS DISTINCT FROM 'decision')
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
        _run(schema_editor, [SQLITE_CREATE])
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)
    else:
        raise NotImplementedError(f"decision gate trigger not written for {vendor}")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, [SQLITE_DROP] if vendor == "sqlite" else POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        ("cases", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
