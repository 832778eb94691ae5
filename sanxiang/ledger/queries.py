"""Reads of the ledger: the latest checkpoint, scoped entry lists, checking a proof."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from sanxiang.accounts.queries import visible_agency_ids
from sanxiang.lib import merkle

from . import formats, keys, signing, tree
from .models import Checkpoint, Entry


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size", "-id").first()


def first_checkpoint_containing(entry: Entry) -> Checkpoint | None:
    """The first signed checkpoint whose tree contains ``entry`` (integrated first if it was
    not yet): the seed of the verifiable draws (docs/draw.md §2), unknown when the entry was
    written. None while no checkpoint covers it."""
    if entry.seq is None:
        from .services import integrate

        integrate()
        entry.refresh_from_db()
    if entry.seq is None:
        return None
    return Checkpoint.objects.filter(tree_size__gt=entry.seq).order_by("tree_size", "id").first()


def entries_for(user: Any) -> QuerySet[Entry]:
    """Entries of the agencies ``user`` may read (a supervisor: those it supervises)."""
    return Entry.objects.filter(agency_id__in=visible_agency_ids(user)).order_by("-id")


def recent_checkpoints(limit: int = 10) -> list[Checkpoint]:
    """The latest checkpoints, each with ``cosigners``: how many configured witnesses validly
    cosigned it (shown against the quorum; a checkpoint below it is not witnessed)."""
    from . import witnessing

    rows = list(
        Checkpoint.objects.order_by("-tree_size", "-id").prefetch_related("cosignatures")[:limit]
    )
    for cp in rows:
        cp.cosigners = witnessing.valid_cosigners(cp)  # type: ignore[attr-defined]
    return rows


def checkpoint_signature_ok(cp: Checkpoint) -> bool:
    """Whether the checkpoint carries this deployment's valid signature."""
    key = keys.signing_key()
    if cp.algorithm != key.algorithm or cp.key_id != keys.public_key_info(key)["key_id"]:
        return False
    try:
        signature = base64.b64decode(cp.signature, validate=True)
    except ValueError:
        return False
    body = formats.checkpoint_body(cp).encode("utf-8")
    return signing.verify(key.algorithm, key.public, body, signature)


@dataclass(frozen=True)
class Status:
    tree_size: int
    unsequenced: int
    latest: Checkpoint | None
    latest_signature_ok: bool
    consistent_with_previous: bool | None


def status() -> Status:
    """A quick health view for the staff page (the full check is ``verify_ledger``)."""
    checkpoints = recent_checkpoints(2)
    latest = checkpoints[0] if checkpoints else None
    consistent: bool | None = None
    if len(checkpoints) == 2:
        new, old = checkpoints
        try:
            merkle.verify_consistency(
                old.tree_size,
                new.tree_size,
                tree.consistency_proof(old.tree_size, new.tree_size),
                bytes.fromhex(old.root_hash),
                bytes.fromhex(new.root_hash),
                hash_name=new.hash_name,
            )
            consistent = True
        except (merkle.ProofError, tree.MissingNode, ValueError):
            consistent = False
    top = Entry.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", flat=True)
    return Status(
        tree_size=(top.first() or -1) + 1,
        unsequenced=Entry.objects.filter(seq__isnull=True).count(),
        latest=latest,
        latest_signature_ok=latest is not None and checkpoint_signature_ok(latest),
        consistent_with_previous=consistent,
    )


def verify_inclusion_payload(payload: dict[str, Any]) -> tuple[bool, str]:
    """Check a proof from ``services.prove_inclusion`` against this deployment's key.

    Returns ``(ok, explanation)``; the explanation says in Chinese what held or what failed.
    """
    try:
        cp = payload["checkpoint"]
        seq, size = int(payload["seq"]), int(payload["tree_size"])
        leaf = bytes.fromhex(payload["leaf_hash"])
        root = bytes.fromhex(payload["root"])
        proof = [bytes.fromhex(p) for p in payload["proof"]]
        signature = base64.b64decode(cp["signature"], validate=True)
        body = signing.note_body(
            origin=cp["origin"],
            tree_size=int(cp["tree_size"]),
            root_hash=bytes.fromhex(cp["root_hash"]),
            time_text=cp["time"],
            hash_name=cp.get("hash", "sha256"),
        )
    except (KeyError, TypeError, ValueError):
        return False, "证明格式不完整或无法解析。"
    key = keys.signing_key()
    if cp.get("key_id") != keys.public_key_info(key)["key_id"]:
        return False, "检查点不是由本平台的密钥签署的。"
    if not signing.verify(key.algorithm, key.public, body.encode("utf-8"), signature):
        return False, "检查点签名无效：检查点被伪造或改动。"
    if int(cp["tree_size"]) != size or cp["root_hash"] != root.hex():
        return False, "证明所用的树大小或根摘要与签名检查点不符。"
    entry = payload.get("entry")
    if entry is not None and entry.get("leaf_hash") != leaf.hex():
        return False, "条目内容与证明中的叶子摘要不符。"
    try:
        merkle.verify_inclusion(leaf, seq, size, proof, root, hash_name=cp.get("hash", "sha256"))
    except merkle.ProofError as err:
        return False, f"存在性证明不成立：{err}。"
    return True, (
        f"验证通过：序号 {seq} 的条目包含在 {size} 条的账本中，"
        f"该账本状态已由检查点（{cp['time']}）签名确认。"
    )
