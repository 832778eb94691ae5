"""Append-only in the database: triggers that refuse UPDATE and DELETE on the ledger tables.

The only change ever allowed is the integrator's: setting an entry's ``seq`` from NULL, once,
with every other column unchanged. ``Node`` and ``Checkpoint`` rows are insert-only.
The production database role has no UPDATE/DELETE/TRUNCATE rights either
(docs/operations.md, "数据库账户与只追加账本"); the triggers also stop a mistaken
``UPDATE`` by someone who holds them, and ``verify_ledger`` catches whoever drops them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

REFUSAL = "ledger_append_only"
# Every column of ledger_entry but seq, written out here (not taken from the model) so that
# what migration 0003 installs does not change when the model does.
_ENTRY_COLUMNS = (
    "id",
    "created_at",
    "actor_id",
    "actor_label",
    "agency_id",
    "case_id",
    "event_type",
    "payload",
    "payload_hash",
    "leaf_hash",
)
_INSERT_ONLY = ("ledger_node", "ledger_checkpoint")
# Added by migration 0006 (the table came with 0004, after 0003 installed the others): a
# witness's cosignature is kept as it answered; deleting one would hide that a checkpoint was
# witnessed, editing one would forge a witness.
LATER_INSERT_ONLY = ("ledger_cosignature",)

_PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION ledger_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The integrator's one update: seq from NULL to a value, nothing else changed.
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
     AND (to_jsonb(NEW) - 'seq') = (to_jsonb(OLD) - 'seq') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '{REFUSAL}: % on % refused (账本只追加，不得修改或删除)', TG_OP, TG_TABLE_NAME;
END $$;
CREATE OR REPLACE FUNCTION ledger_insert_only_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{REFUSAL}: % on % refused (账本只追加，不得修改或删除)', TG_OP, TG_TABLE_NAME;
END $$;
"""


def _pg_create() -> list[str]:
    statements = [
        _PG_FUNCTIONS,
        "CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry "
        "FOR EACH ROW EXECUTE FUNCTION ledger_entry_guard();",
    ]
    for table in _INSERT_ONLY:
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_insert_only_guard();"
        )
    return statements


def _pg_drop() -> list[str]:
    statements = ["DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry;"]
    statements += [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};" for t in _INSERT_ONLY]
    return statements


def _sqlite_create() -> list[str]:
    unchanged = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _ENTRY_COLUMNS)
    message = f"{REFUSAL}: 账本只追加，不得修改或删除"
    statements = [
        "CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry "
        f"WHEN NOT (OLD.seq IS NULL AND NEW.seq IS NOT NULL AND {unchanged}) "
        f"BEGIN SELECT RAISE(ABORT, '{message} (ledger_entry)'); END;",
        "CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry "
        f"BEGIN SELECT RAISE(ABORT, '{message} (ledger_entry)'); END;",
    ]
    for table in _INSERT_ONLY:
        for op in ("update", "delete"):
            statements.append(
                f"CREATE TRIGGER {table}_no_{op} BEFORE {op.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message} ({table})'); END;"
            )
    return statements


def _sqlite_drop() -> list[str]:
    names = ["ledger_entry_no_update", "ledger_entry_no_delete"]
    names += [f"{t}_no_{op}" for t in _INSERT_ONLY for op in ("update", "delete")]
    return [f"DROP TRIGGER IF EXISTS {n};" for n in names]


def later_create_statements(vendor: str) -> list[str]:
    """What migration 0006 installs: the same insert-only guard on ``LATER_INSERT_ONLY``."""
    if vendor == "postgresql":
        return [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_insert_only_guard();"
            for table in LATER_INSERT_ONLY
        ]
    if vendor == "sqlite":
        message = f"{REFUSAL}: 账本只追加，不得修改或删除"
        return [
            f"CREATE TRIGGER {table}_no_{op} BEFORE {op.upper()} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message} ({table})'); END;"
            for table in LATER_INSERT_ONLY
            for op in ("update", "delete")
        ]
    raise NotImplementedError(f"no append-only triggers for database vendor {vendor!r}")


def later_drop_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};" for t in LATER_INSERT_ONLY]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {t}_no_{op};"
            for t in LATER_INSERT_ONLY
            for op in ("update", "delete")
        ]
    raise NotImplementedError(f"no append-only triggers for database vendor {vendor!r}")


def create_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return _pg_create()
    if vendor == "sqlite":
        return _sqlite_create()
    raise NotImplementedError(f"no append-only triggers for database vendor {vendor!r}")


def drop_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return _pg_drop()
    if vendor == "sqlite":
        return _sqlite_drop()
    raise NotImplementedError(f"no append-only triggers for database vendor {vendor!r}")


def install(connection: Any) -> None:
    """Every append-only trigger (0003 and 0006), e.g. after a test flush."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for statement in [*create_statements(vendor), *later_create_statements(vendor)]:
            cursor.execute(statement)


def remove(connection: Any) -> None:
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for statement in [*later_drop_statements(vendor), *drop_statements(vendor)]:
            cursor.execute(statement)


@contextmanager
def flush_past_triggers() -> Iterator[None]:
    """For test sessions: let Django's ``flush`` (DELETE FROM every table on SQLite) through.

    ``TransactionTestCase`` empties every table after each test. On PostgreSQL that is a
    TRUNCATE, which the row triggers do not see; on SQLite it is a DELETE, which they refuse.
    Drop the triggers for the flush and put them back right after.
    """
    # Through .base: importing .operations first is a circular import inside Django.
    from django.db.backends.sqlite3 import base

    operations: Any = base.DatabaseOperations  # type: ignore[attr-defined]

    original = operations.execute_sql_flush

    def execute_sql_flush(self: Any, sql_list: list[str]) -> None:
        remove(self.connection)
        try:
            original(self, sql_list)
        finally:
            install(self.connection)

    operations.execute_sql_flush = execute_sql_flush
    try:
        yield
    finally:
        operations.execute_sql_flush = original
