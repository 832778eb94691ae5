"""The JSON shapes of entries, checkpoints and bundles (documented in docs/ledger.md)."""

from __future__ import annotations

import base64
from typing import Any

from . import signing
from .encoding import timestamp_text
from .models import Checkpoint, Entry

LEDGER_BUNDLE = "sanxiang-ledger-bundle/1"
INCLUSION_BUNDLE = "sanxiang-inclusion-bundle/1"


def checkpoint_body(cp: Checkpoint) -> str:
    return signing.note_body(
        origin=cp.origin,
        tree_size=cp.tree_size,
        root_hash=bytes.fromhex(cp.root_hash),
        time_text=timestamp_text(cp.created_at),
        hash_name=cp.hash_name,
    )


def checkpoint_record(cp: Checkpoint) -> dict[str, Any]:
    body = checkpoint_body(cp)
    signature = base64.b64decode(cp.signature)
    return {
        "id": cp.pk,
        "origin": cp.origin,
        "tree_size": cp.tree_size,
        "root_hash": cp.root_hash,
        "hash": cp.hash_name,
        "time": timestamp_text(cp.created_at),
        "algorithm": cp.algorithm,
        "key_id": cp.key_id,
        "signature": cp.signature,
        "note": signing.signed_note(
            body, origin=cp.origin, key_id_bytes=bytes.fromhex(cp.key_id), signature=signature
        ),
        # The witnesses' cosignature lines as they answered (C2SP tlog-cosignature): appended
        # to the note they make it the checkpoint as the witnesses signed it, so an offline
        # verifier holding the witnesses' keys can count them (tools/verify_bundle.py).
        "cosignatures": sorted(row.line for row in cp.cosignatures.all()),
    }


def entry_record(entry: Entry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "t": timestamp_text(entry.created_at),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "agency_id": entry.agency_id,
        "case_id": entry.case_id,
        "event_type": entry.event_type,
        "payload": entry.payload,
        "payload_hash": entry.payload_hash,
        "leaf_hash": entry.leaf_hash,
    }
