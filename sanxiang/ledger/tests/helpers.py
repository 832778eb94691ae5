"""Small builders shared by the ledger tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from django.db import connection, transaction

from sanxiang.ledger import guard, services
from sanxiang.ledger.models import Entry

ROOT = Path(__file__).resolve().parents[3]


def add_entries(n: int, *, agency_id: int | None = None, case_id: int | None = None) -> list[Entry]:
    made = []
    for i in range(n):
        with transaction.atomic():
            made.append(
                services.append(
                    event_type="test.event",
                    payload={"i": i, "text": f'第{i}条 "引号"'},
                    agency_id=agency_id,
                    case_id=case_id,
                )
            )
    return made


def tamper(sql: str, params: list[Any] | None = None) -> None:
    """Edit the ledger behind the application's back, as a careful DBA: drop the triggers,
    edit, put the triggers back (a trigger left dropped is itself reported by verify_ledger)."""
    guard.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
    guard.install(connection)


def verifier() -> ModuleType:
    """tools/verify_bundle.py, loaded as a module (it is a script, not a package)."""
    name = "sx_verify_bundle"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "verify_bundle.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
