"""A 评查 batch drawn at random, verifiably (issue 14 item 4), with the inspections' draw.

1. ``freeze_batch``: the closed, not yet reviewed files of the organiser's scope are fixed as a
   canonical JSON input (``sanxiang-review-batch-input/1``: the scope, the count, the sorted
   candidate ids and numbers) and its SHA-256 is written to the ledger
   (``supervision.review_batch_frozen``). The seed does not exist yet.
2. ``draw_batch``: once a signed checkpoint contains that entry, the seed is
   ``SHA-256(input hash || checkpoint root)`` (``draw.seed_from``) and the files are the first
   ``count`` of a Fisher–Yates shuffle of the sorted candidate ids driven by SHA-256 in counter
   mode (``draw.Generator``, ``draw.sample``: the very functions of the 双随机 draw). The drawn
   files are scored at once (``reviews.review_files``) under the batch's name.
3. ``certificate`` gives everything needed to redo it offline: the input, the freeze entry with
   its inclusion proof to the checkpoint, the checkpoint (signed note) and the public key;
   ``verify_certificate`` redoes it (pure: lib only) and says what does not match.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.ledger import formats, keys, tree
from sanxiang.ledger import services as ledger
from sanxiang.ledger.encoding import leaf_input
from sanxiang.ledger.models import Checkpoint, Entry
from sanxiang.ledger.queries import first_checkpoint_containing
from sanxiang.lib import draw, merkle
from sanxiang.lib.canonical import canonical_bytes, canonical_json
from sanxiang.lib.errors import DomainError, ValidationFailed

from .models import BatchStatus, FileReview, ReviewBatch
from .reviews import _scope_ids, closed_unreviewed, review_files

INPUT_FORMAT = "sanxiang-review-batch-input/1"
CERTIFICATE_FORMAT = "sanxiang-review-batch-certificate/1"
FROZEN_EVENT = "supervision.review_batch_frozen"


def _owner(actor: User) -> Any:
    from sanxiang.accounts.queries import home_agency

    return home_agency(actor)


@transaction.atomic(durable=True)
def freeze_batch(*, actor: User, name: str, count: int) -> ReviewBatch:
    """Fix the candidate list of a batch and ledger its hash; refused with nothing written when
    there is nothing (or not enough) to draw from."""
    scope = sorted(_scope_ids(actor))
    name = name.strip()
    if not name:
        raise ValidationFailed("请填写评查批次名称。", field="batch")
    if count < 1:
        raise ValidationFailed("抽取份数须为正整数。", field="count")
    owner = _owner(actor)
    if ReviewBatch.objects.filter(owner=owner, name=name[:60]).exists():
        raise DomainError("conflict", f"评查批次“{name}”已存在，请换一个名称。", field="batch")
    candidates = list(closed_unreviewed(actor).order_by("pk").values_list("pk", "number"))
    if not candidates:
        raise DomainError("conflict", "范围内没有尚未评查的已结案件，无从抽取。", field="count")
    if count > len(candidates):
        raise ValidationFailed(
            f"抽取份数（{count}）多于尚未评查的已结案件（{len(candidates)} 件）。", field="count"
        )
    document = {
        "format": INPUT_FORMAT,
        "batch": name[:60],
        "owner": str(owner.pk),
        "agencies": [str(a) for a in scope],
        "count": count,
        "candidates": [{"id": str(pk), "number": number} for pk, number in candidates],
    }
    digest = draw.sha256_hex(document)
    entry = ledger.append(
        event_type=FROZEN_EVENT,
        payload={
            "batch": name[:60],
            "input_sha256": digest,
            "count": count,
            "candidates": len(candidates),
        },
        actor=actor,
        agency_id=owner.pk,
    )
    return ReviewBatch.objects.create(
        owner=owner,
        name=name[:60],
        count=count,
        frozen_input=canonical_json(document),
        input_sha256=digest,
        seed_entry=entry,
        created_by=actor,
        created_at=timezone.now(),
    )


def drawn_ids(document: dict[str, Any], seed: bytes) -> list[str]:
    """The batch's files: the first ``count`` of the shuffle of the id-sorted candidates."""
    ids = sorted((c["id"] for c in document["candidates"]), key=int)
    return draw.sample(ids, int(document["count"]), draw.Generator(seed))


def draw_batch(*, actor: User, batch_id: int, sign: bool = True) -> ReviewBatch:
    """Draw a frozen batch once its seed checkpoint exists (``sign``: sign one now if none yet),
    then score the drawn files."""
    owner = _owner(actor)
    _scope_ids(actor)  # the role check
    batch = ReviewBatch.objects.filter(pk=batch_id, owner=owner).first()
    if batch is None:
        raise DomainError("not_found", "未找到该评查批次，或无权访问。")
    if batch.status == BatchStatus.PENDING:
        entry = Entry.objects.get(pk=batch.seed_entry_id)
        cp = first_checkpoint_containing(entry)
        if cp is None and sign:
            ledger.make_checkpoint()
            cp = first_checkpoint_containing(entry)
        if cp is None:
            raise DomainError(
                "draw_seed_pending",
                "冻结记录尚未纳入签名检查点，随机种子尚不存在；请待下一个检查点后抽取。",
            )
        document = json.loads(batch.frozen_input)
        if draw.sha256_hex(document) != batch.input_sha256 or (
            json.loads(entry.payload).get("input_sha256") != batch.input_sha256
        ):
            raise DomainError(
                "draw_input_changed", "冻结后的候选名单与账本记录的摘要不符，拒绝抽取。"
            )
        seed = draw.seed_from(input_sha256=batch.input_sha256, checkpoint_root=cp.root_hash)
        _store_draw(actor=actor, batch=batch, cp=cp, seed=seed, chosen=drawn_ids(document, seed))
        batch.refresh_from_db()
    # Scoring is idempotent per batch: files of the batch already scored are not scored again
    # (a draw whose scoring was interrupted is finished by drawing again).
    done = set(
        FileReview.objects.filter(
            batch=batch.name, case_id__in=[int(i) for i in batch.drawn]
        ).values_list("case_id", flat=True)
    )
    left = [int(i) for i in batch.drawn if int(i) not in done]
    if left:
        review_files(actor=actor, case_ids=left, batch=batch.name)
    return batch


@transaction.atomic(durable=True)
def _store_draw(
    *, actor: User, batch: ReviewBatch, cp: Checkpoint, seed: bytes, chosen: list[str]
) -> None:
    changed = ReviewBatch.objects.filter(pk=batch.pk, status=BatchStatus.PENDING).update(
        status=BatchStatus.DRAWN,
        seed=seed.hex(),
        checkpoint=cp,
        drawn=chosen,
        drawn_at=timezone.now(),
    )
    if changed != 1:
        raise DomainError("conflict", "该批次已抽取。")
    ledger.append(
        event_type="supervision.review_batch_drawn",
        payload={
            "batch": batch.name,
            "input_sha256": batch.input_sha256,
            "checkpoint": cp.tree_size,
            "seed": seed.hex(),
            "drawn": chosen,
        },
        actor=actor,
        agency_id=batch.owner_id,
    )


def certificate(batch: ReviewBatch) -> dict[str, Any]:
    """What anyone needs to redo the draw offline (docs/supervision.md)."""
    if batch.status != BatchStatus.DRAWN or batch.checkpoint is None:
        raise DomainError("conflict", "该批次尚未抽取。")
    entry = Entry.objects.get(pk=batch.seed_entry_id)
    assert entry.seq is not None  # noqa: S101 - the checkpoint covers it
    cp = batch.checkpoint
    return {
        "format": CERTIFICATE_FORMAT,
        "algorithm": draw.ALGORITHM,
        "input": json.loads(batch.frozen_input),
        "input_sha256": batch.input_sha256,
        "seed_source": {
            "entry": formats.entry_record(entry),
            "proof": [p.hex() for p in tree.inclusion_proof(entry.seq, cp.tree_size)],
            "checkpoint": formats.checkpoint_record(cp),
            "public_key": keys.public_key_info(),
        },
        "seed": batch.seed,
        "drawn": list(batch.drawn),
    }


def verify_certificate(cert: dict[str, Any]) -> list[str]:
    """Redo a batch certificate: hashes, inclusion of the freeze entry, seed, draw. The problems
    found (empty when it holds). The checkpoint's signature is checked by the ledger tools."""
    problems: list[str] = []
    if cert.get("format") != CERTIFICATE_FORMAT:
        return [f"不认识的证书格式：{cert.get('format')!r}"]
    document = cert["input"]
    digest = draw.sha256_hex(document)
    if digest != cert.get("input_sha256"):
        problems.append("候选名单的摘要与证书不符（名单在冻结后被改动）")
    source = cert["seed_source"]
    entry = source["entry"]
    payload = json.loads(entry["payload"])
    if entry["event_type"] != FROZEN_EVENT or payload.get("input_sha256") != digest:
        problems.append("账本冻结记录中的名单摘要与证书内名单不符")
    checkpoint = source["checkpoint"]
    hash_name = checkpoint.get("hash", "sha256")
    if hashlib.sha256(entry["payload"].encode("utf-8")).hexdigest() != entry["payload_hash"]:
        problems.append("冻结记录的内容摘要与其内容不符")
    leaf = merkle.leaf_hash(
        leaf_input(
            created_at=entry["t"],
            actor_id=entry["actor_id"],
            actor_label=entry["actor_label"],
            agency_id=entry["agency_id"],
            case_id=entry["case_id"],
            event_type=entry["event_type"],
            payload_hash=entry["payload_hash"],
        ),
        hash_name=hash_name,
    )
    if leaf.hex() != entry["leaf_hash"]:
        problems.append("冻结记录的叶子摘要与其内容不符")
    try:
        merkle.verify_inclusion(
            leaf,
            int(entry["seq"]),
            int(checkpoint["tree_size"]),
            [bytes.fromhex(p) for p in source["proof"]],
            bytes.fromhex(checkpoint["root_hash"]),
            hash_name=hash_name,
        )
    except merkle.ProofError as err:
        problems.append(f"冻结记录不在所称检查点内：{err}")
    seed = draw.seed_from(input_sha256=digest, checkpoint_root=checkpoint["root_hash"])
    if seed.hex() != cert.get("seed"):
        problems.append("随机种子与“名单摘要 ‖ 检查点根摘要”的重算结果不符")
    if canonical_bytes(drawn_ids(document, seed)) != canonical_bytes(cert.get("drawn")):
        problems.append("重新抽取的案卷与证书公布的结果不同")
    return problems


def batches_for(user: Any) -> Any:
    """Batches organised by the user's bureau or agency (a supervisor sees the bureau's; a head
    their own 自查 batches)."""
    _scope_ids(user)
    return ReviewBatch.objects.filter(owner=_owner(user)).order_by("-created_at", "-pk")
