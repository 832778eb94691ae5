"""Writes to the ledger. Every domain service calls ``append`` inside its own transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.utils import timezone

from sanxiang.lib.canonical import canonical_bytes
from sanxiang.lib.merkle import leaf_hash

from .models import Entry


def leaf_data(
    *,
    created_at: str,
    actor_id: int | None,
    actor_label: str,
    agency_id: int | None,
    case_id: int | None,
    event_type: str,
    payload_hash: str,
) -> bytes:
    """The bytes hashed into the Merkle leaf: every field of the entry except its position."""
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


def append(
    *,
    event_type: str,
    payload: Mapping[str, Any],
    actor: Any = None,
    agency_id: int | None = None,
    case_id: int | None = None,
) -> Entry:
    """Append one entry; must run inside the transaction of the change it records."""
    if not connection.in_atomic_block:
        raise RuntimeError("ledger.append must run inside the business transaction")
    body = canonical_bytes(dict(payload))
    created = timezone.now()
    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
    actor_label = str(actor.get_username()) if actor_id else "system"
    payload_hash = hashlib.sha256(body).hexdigest()
    leaf = leaf_hash(
        leaf_data(
            created_at=created.isoformat(),
            actor_id=actor_id,
            actor_label=actor_label,
            agency_id=agency_id,
            case_id=case_id,
            event_type=event_type,
            payload_hash=payload_hash,
        )
    )
    return Entry.objects.create(
        created_at=created,
        actor_id=actor_id,
        actor_label=actor_label,
        agency_id=agency_id,
        case_id=case_id,
        event_type=event_type,
        payload=body.decode("utf-8"),
        payload_hash=payload_hash,
        leaf_hash=leaf.hex(),
    )
