"""The public log: what an outside monitor reads (docs/public-log.md). Read-only.

Everything here is derived from signed checkpoints and stored tree nodes; nothing writes.
A monitor follows the log as Certificate Transparency monitors do: it remembers a signed
checkpoint, fetches a newer one, and checks the consistency proof between the two sizes
(RFC 9162 §2.1.4), and it checks inclusion proofs (§2.1.3) of the items it cares about
against a checkpoint it holds. Sizes beyond the latest signed checkpoint are refused: only
signed states of the log are public.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sanxiang.lib import tlog
from sanxiang.lib.errors import DomainError

from . import formats, keys, queries, tree, witnessing
from .models import Checkpoint, Cosignature, Entry

PUBLIC_CHECKPOINT = "sanxiang-public-checkpoint/1"
PUBLIC_KEYS = "sanxiang-public-keys/1"
CONSISTENCY_PROOF = "sanxiang-consistency-proof/1"
CHECKPOINT_LIST = "sanxiang-checkpoint-list/1"

# A tree size is a PostgreSQL bigint; a longer number never reaches the database.
_SIZE = re.compile(r"[0-9]{1,19}")
_DIGITS = re.compile(r"[0-9]+")
_HEX_HASH = re.compile(r"[0-9a-fA-F]{64}")
MAX_SIZE = 2**63 - 1
MAX_LIST = 100


def parse_size(raw: str | None, *, name: str, label: str) -> int:
    """A non-negative tree size from a query parameter, or a Chinese ``validation_error``."""
    text = (raw or "").strip()
    if not text:
        raise DomainError("validation_error", f"请填写{label}。", field=name)
    if not _SIZE.fullmatch(text):
        if _DIGITS.fullmatch(text):
            raise DomainError("validation_error", f"{label}过大。", field=name)
        raise DomainError("validation_error", f"{label}应为非负整数。", field=name)
    value = int(text)
    if value > MAX_SIZE:
        raise DomainError("validation_error", f"{label}过大。", field=name)
    return value


def parse_hash(raw: str | None, *, name: str, label: str) -> str:
    """A 32-byte hash as 64 hex digits (lower-cased), or a Chinese ``validation_error``."""
    text = (raw or "").strip()
    if not _HEX_HASH.fullmatch(text):
        raise DomainError(
            "validation_error", f"{label}应为 64 位十六进制数（32 字节摘要）。", field=name
        )
    return text.lower()


def latest() -> Checkpoint:
    cp = queries.latest_checkpoint()
    if cp is None:
        raise DomainError("not_found", "账本尚未签署检查点，请稍后再来。")
    return cp


def checkpoint_of_size(size: int) -> Checkpoint:
    cp = Checkpoint.objects.filter(tree_size=size).order_by("-id").first()
    if cp is None:
        raise DomainError("not_found", f"没有条目数为 {size} 的签名检查点。")
    return cp


def _cosignatures(cp: Checkpoint) -> list[Cosignature]:
    cached = getattr(cp, "_prefetched_objects_cache", {}).get("cosignatures")
    rows = list(cached) if cached is not None else list(cp.cosignatures.all())
    return sorted(rows, key=lambda row: row.witness)


def _cosignature_record(
    body: str, row: Cosignature, pinned: dict[str, tlog.CosignerKey]
) -> dict[str, Any]:
    key = pinned.get(row.witness)
    valid = False
    if key is not None:
        try:
            sig = tlog.parse_note(body + "\n" + row.line + "\n").signatures[0]
        except tlog.NoteError:
            sig = None
        valid = sig is not None and key.timestamp_of(body, sig) is not None
    return {
        "witness": row.witness,
        "key_id": row.key_id,
        "timestamp": row.timestamp,
        "time": datetime.fromtimestamp(row.timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "line": row.line,
        "valid": valid,
    }


def checkpoint_document(cp: Checkpoint) -> dict[str, Any]:
    """A checkpoint with its cosignatures: the JSON fields and the whole signed note.

    ``note`` is the C2SP signed note a witness-aware client parses: the log's signature line
    followed by every witness's ``cosignature/v1`` line. ``valid`` says whether a cosignature
    verifies under the witness key this portal publishes; the monitor checks it itself.
    """
    record = formats.checkpoint_record(cp)
    body = formats.checkpoint_body(cp)
    pinned = {w.name: w.key for w in witnessing.configured()}
    cosignatures = [_cosignature_record(body, row, pinned) for row in _cosignatures(cp)]
    valid = sum(1 for c in cosignatures if c["valid"])
    record["note"] = record["note"] + "".join(c["line"] + "\n" for c in cosignatures)
    quorum = witnessing.quorum() if pinned else 0
    return {
        "format": PUBLIC_CHECKPOINT,
        **record,
        "cosignatures": cosignatures,
        "witnesses_valid": valid,
        "quorum": quorum,
        "witnessed": bool(pinned) and valid >= quorum,
    }


def checkpoint_note(cp: Checkpoint) -> str:
    return str(checkpoint_document(cp)["note"])


def _vkey(name: str, sig_type: int, public_key: bytes) -> str:
    """The key in the signed-note verifier-key form ``<name>+<hex key id>+<base64(type||key)>``."""
    kid = tlog.key_id(name, sig_type, public_key).hex()
    return f"{name}+{kid}+{base64.b64encode(bytes([sig_type]) + public_key).decode('ascii')}"


def keys_document() -> dict[str, Any]:
    """The log's public key and the witnesses' keys, for monitors to pin."""
    log_key = keys.public_key_info()
    if log_key["algorithm"] == "ed25519":
        raw = base64.b64decode(log_key["public_key"])
        log_key = {**log_key, "vkey": _vkey(log_key["origin"], tlog.SIG_ED25519, raw)}
    witnesses = [
        {
            "name": w.name,
            "algorithm": "ed25519",
            "signature_type": "cosignature/v1",
            "key_id": w.key.key_id.hex(),
            "public_key": base64.b64encode(w.key.public_key).decode("ascii"),
            "vkey": _vkey(w.name, tlog.SIG_COSIGNATURE_V1, w.key.public_key),
        }
        for w in witnessing.configured()
    ]
    return {
        "format": PUBLIC_KEYS,
        "hash": tree.hash_name(),
        "log": log_key,
        "witnesses": witnesses,
        "quorum": witnessing.quorum() if witnesses else 0,
    }


def _signed_bound(size: int, *, label: str) -> Checkpoint:
    cp = latest()
    if size > cp.tree_size:
        raise DomainError(
            "validation_error",
            f"{label} {size} 大于最新签名检查点的条目数 {cp.tree_size}：只能证明已签名的账本状态。",
        )
    return cp


def consistency_document(first: int, second: int) -> dict[str, Any]:
    """``PROOF(first, D[second])`` (RFC 9162 §2.1.4.1), both sizes within the signed log."""
    if first > second:
        raise DomainError("validation_error", f"起始条目数 {first} 不能大于目标条目数 {second}。")
    _signed_bound(second, label="目标条目数")
    proof = tree.consistency_proof(first, second)
    return {
        "format": CONSISTENCY_PROOF,
        "hash": tree.hash_name(),
        "first": first,
        "second": second,
        "proof": [p.hex() for p in proof],
    }


def inclusion_document(entry: Entry, *, tree_size: int | None = None) -> dict[str, Any]:
    """An inclusion bundle (``sanxiang-inclusion-bundle/1``) of one entry against a signed
    checkpoint: the latest, or the one of ``tree_size``. ``tools/verify_bundle.py`` reads it."""
    from . import services

    cp = latest() if tree_size is None else checkpoint_of_size(tree_size)
    if entry.seq is None or entry.seq >= cp.tree_size:
        raise DomainError(
            "conflict",
            f"该条目尚未纳入条目数为 {cp.tree_size} 的签名检查点；账本定期签署检查点，请稍后再试。",
        )
    bundle = services.inclusion_bundle(entry_ids=[entry.pk], checkpoint=cp)
    bundle["checkpoint"] = checkpoint_document(cp)
    return bundle


def checkpoint_list(*, after: int, limit: int) -> dict[str, Any]:
    """Checkpoints with an id above ``after``, oldest first (ids grow with the tree size)."""
    limit = max(1, min(limit, MAX_LIST))
    rows = list(
        Checkpoint.objects.filter(id__gt=after)
        .order_by("id")
        .prefetch_related("cosignatures")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "format": CHECKPOINT_LIST,
        "checkpoints": [checkpoint_document(cp) for cp in rows],
        "next_after": rows[-1].pk if more and rows else None,
    }


def recent(limit: int = 10) -> Sequence[dict[str, Any]]:
    rows = Checkpoint.objects.order_by("-tree_size", "-id").prefetch_related("cosignatures")
    return [checkpoint_document(cp) for cp in rows[:limit]]
