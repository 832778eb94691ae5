"""The bytes of a ledger leaf, and a fast path for recomputing them in bulk.

A leaf is ``HASH(0x00 || leaf_input)`` where ``leaf_input`` is the canonical JSON
(``sanxiang.lib.canonical``) of the entry's fields except its position::

    {"actor": <int|null>, "actor_label": <str>, "agency": <int|null>, "case": <int|null>,
     "event": <str>, "payload_sha256": <hex>, "t": "YYYY-MM-DDTHH:MM:SS.ffffffZ"}

``t`` is the entry's time in UTC with microseconds, the precision both databases keep.
The position (``seq``) is not hashed: the entry is written before it has one, and the tree
itself fixes the order. ``tools/verify_bundle.py`` recomputes the same bytes independently.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sanxiang.lib.canonical import canonical_bytes


def timestamp_text(moment: datetime) -> str:
    """The ``t`` of a leaf: UTC, microseconds, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def leaf_input(
    *,
    created_at: str,
    actor_id: int | None,
    actor_label: str,
    agency_id: int | None,
    case_id: int | None,
    event_type: str,
    payload_hash: str,
) -> bytes:
    """The canonical leaf input; the definition every verifier follows."""
    return canonical_bytes(
        {
            "t": created_at,
            "actor": actor_id,
            "actor_label": actor_label,
            "agency": agency_id,
            "case": case_id,
            "event": event_type,
            "payload_sha256": payload_hash,
        }
    )


def json_str(value: str) -> str:
    # JSON (ensure_ascii=False) escapes only '"', '\\' and control characters; a printable
    # string without quote or backslash is therefore its own body.
    if value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return json.dumps(value, ensure_ascii=False)


def json_int(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def fast_leaf_input(
    t: str,
    actor_id: int | None,
    actor_label: str,
    agency_id: int | None,
    case_id: int | None,
    event_type: str,
    payload_hash: str,
) -> bytes:
    """``leaf_input`` without building a dict and sorting its keys: same bytes, ~4x faster.

    Keys in sorted order: actor, actor_label, agency, case, event, payload_sha256, t.
    """
    return (
        f'{{"actor":{json_int(actor_id)},"actor_label":{json_str(actor_label)},'
        f'"agency":{json_int(agency_id)},"case":{json_int(case_id)},'
        f'"event":{json_str(event_type)},"payload_sha256":{json_str(payload_hash)},'
        f'"t":{json_str(t)}}}'
    ).encode()
