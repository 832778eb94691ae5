"""Canonical JSON: the byte form of a ledger payload that every verifier recomputes.

Keys sorted, no insignificant whitespace, UTF-8 without escaping, Decimal and dates as strings.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _default(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON-serialisable in a ledger payload: {type(value).__name__}")


def canonical_json(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def canonical_bytes(value: Any) -> bytes:
    return canonical_json(value).encode("utf-8")
