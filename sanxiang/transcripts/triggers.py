"""Database guards of a sealed 笔录: no UPDATE or DELETE of the row, no change to its people.

Installed by migration 0002 on SQLite and PostgreSQL and registered with ``ledger.reconcile``
so that a dropped or altered trigger is reported by ``verify_ledger``. A database administrator
who drops them and edits a row is still caught: the sealed hash in the ledger no longer matches
(``reconcile.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sanxiang.ledger.reconcile import ExpectedTrigger, pg_function_body

REFUSAL = "record_signed: 笔录已签署封存，不得修改或删除"
_T = "transcripts_transcript"
_P = "transcripts_participant"
_SEALED_PARENT = f"(SELECT status FROM {_T} WHERE id = {{row}}.transcript_id) = 'sealed'"  # noqa: S608 - constant DDL


def _sqlite(name: str, op: str, table: str, when: str) -> str:
    return (
        f"CREATE TRIGGER {name} BEFORE {op} ON {table} WHEN {when} "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END;"
    )


SQLITE = [
    _sqlite("transcript_sealed_no_update", "UPDATE", _T, "OLD.status = 'sealed'"),
    _sqlite("transcript_sealed_no_delete", "DELETE", _T, "OLD.status = 'sealed'"),
    _sqlite("transcript_people_sealed_update", "UPDATE", _P, _SEALED_PARENT.format(row="OLD")),
    _sqlite("transcript_people_sealed_delete", "DELETE", _P, _SEALED_PARENT.format(row="OLD")),
    _sqlite("transcript_people_sealed_insert", "INSERT", _P, _SEALED_PARENT.format(row="NEW")),
]
PG_TRANSCRIPT_FUNCTION = (
    "CREATE OR REPLACE FUNCTION transcript_sealed_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN IF OLD.status = 'sealed' THEN RAISE EXCEPTION '{REFUSAL}'; END IF; "
    "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$;"
)
PG_PEOPLE_FUNCTION = (
    "CREATE OR REPLACE FUNCTION transcript_people_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "  # noqa: S608 - constant DDL
    "DECLARE tid bigint; BEGIN "
    "IF TG_OP = 'INSERT' THEN tid := NEW.transcript_id; ELSE tid := OLD.transcript_id; END IF; "
    "IF (SELECT status FROM transcripts_transcript WHERE id = tid) = 'sealed' THEN "
    f"RAISE EXCEPTION '{REFUSAL}'; END IF; "
    "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$;"
)
PG = [
    PG_TRANSCRIPT_FUNCTION,
    PG_PEOPLE_FUNCTION,
    f"CREATE TRIGGER transcript_sealed_guard BEFORE UPDATE OR DELETE ON {_T} "
    "FOR EACH ROW EXECUTE FUNCTION transcript_sealed_guard();",
    f"CREATE TRIGGER transcript_people_guard BEFORE INSERT OR UPDATE OR DELETE ON {_P} "
    "FOR EACH ROW EXECUTE FUNCTION transcript_people_guard();",
]
DROP = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {name};"
        for name in (
            "transcript_sealed_no_update",
            "transcript_sealed_no_delete",
            "transcript_people_sealed_update",
            "transcript_people_sealed_delete",
            "transcript_people_sealed_insert",
        )
    ],
    "postgresql": [
        f"DROP TRIGGER IF EXISTS transcript_sealed_guard ON {_T};",
        f"DROP TRIGGER IF EXISTS transcript_people_guard ON {_P};",
        "DROP FUNCTION IF EXISTS transcript_sealed_guard();",
        "DROP FUNCTION IF EXISTS transcript_people_guard();",
    ],
}


def install(vendor: str) -> list[str]:
    return SQLITE if vendor == "sqlite" else PG if vendor == "postgresql" else []


def expected(vendor: str) -> list[ExpectedTrigger]:
    if vendor == "sqlite":
        found = []
        for sql in SQLITE:
            name, table = sql.split()[2], sql.split()[6]
            found.append(ExpectedTrigger(name, table, sql))
        return found
    if vendor != "postgresql":
        return []
    return [
        ExpectedTrigger(
            "transcript_sealed_guard",
            _T,
            pg_function_body(PG_TRANSCRIPT_FUNCTION),
            ("UPDATE", "DELETE"),
        ),
        ExpectedTrigger(
            "transcript_people_guard",
            _P,
            pg_function_body(PG_PEOPLE_FUNCTION),
            ("INSERT", "UPDATE", "DELETE"),
        ),
    ]


@contextmanager
def flush_past_triggers() -> Iterator[None]:
    """For test sessions, like ``ledger.guard.flush_past_triggers``: SQLite's flush is a DELETE
    of every table, which the guards refuse for a sealed 笔录; drop them for the flush only."""
    from django.db.backends.sqlite3 import base

    operations: Any = base.DatabaseOperations  # type: ignore[attr-defined]
    original = operations.execute_sql_flush

    def execute_sql_flush(self: Any, sql_list: list[str]) -> None:
        with self.connection.cursor() as cursor:
            for sql in DROP["sqlite"]:
                cursor.execute(sql)
        try:
            original(self, sql_list)
        finally:
            with self.connection.cursor() as cursor:
                for sql in SQLITE:
                    cursor.execute(sql)

    operations.execute_sql_flush = execute_sql_flush
    try:
        yield
    finally:
        operations.execute_sql_flush = original
