"""Ask the configured witnesses to cosign a checkpoint (C2SP tlog-witness, the log's side).

For each witness (``SANXIANG_LEDGER_WITNESSES``): send ``old <size it last cosigned>``, the
consistency proof from that size, and the signed checkpoint; keep the cosignature it returns
after checking it against the witness's pinned key. A witness that answers 409 tells the size
it last cosigned: we retry once from that size. A witness whose size is *larger* than our tree
has seen a log we no longer show — a rollback — and that is reported, never papered over.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from sanxiang.lib import tlog

from . import formats, tree
from .models import Checkpoint, Cosignature

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WitnessConfig:
    name: str
    url: str
    key: tlog.CosignerKey


@dataclass(frozen=True)
class Outcome:
    witness: str
    ok: bool
    message: str


def configured() -> list[WitnessConfig]:
    result = []
    for name, url, public_b64 in settings.SANXIANG_LEDGER_WITNESSES:
        key = tlog.CosignerKey(name, base64.b64decode(public_b64))
        result.append(WitnessConfig(name, url, key))
    return result


def quorum() -> int:
    return int(settings.SANXIANG_LEDGER_WITNESS_QUORUM)


def _last_cosigned_size(name: str) -> int:
    row = (
        Cosignature.objects.filter(witness=name)
        .order_by("-checkpoint__tree_size")
        .values_list("checkpoint__tree_size", flat=True)
        .first()
    )
    return int(row or 0)


def _submit(witness: WitnessConfig, cp: Checkpoint, old_size: int) -> tlog.Answer:
    proof = tree.consistency_proof(old_size, cp.tree_size) if 0 < old_size < cp.tree_size else []
    note = formats.checkpoint_record(cp)["note"]
    body = tlog.add_checkpoint_request(old_size, proof, note)
    timeout = float(settings.SANXIANG_LEDGER_WITNESS_TIMEOUT_SECONDS)
    return tlog.post_checkpoint(witness.url, body, timeout=timeout)


def _keep(witness: WitnessConfig, cp: Checkpoint, answer: tlog.Answer) -> Outcome:
    body = formats.checkpoint_body(cp)
    for line in answer.body.splitlines():
        try:
            sig = tlog.parse_note(body + "\n" + line + "\n").signatures[0]
        except tlog.NoteError:
            continue
        timestamp = witness.key.timestamp_of(body, sig)
        if timestamp is None:
            continue  # tlog-witness: ignore cosignatures from unknown keys
        try:
            with transaction.atomic():
                Cosignature.objects.create(
                    checkpoint=cp,
                    witness=witness.name,
                    key_id=sig.key_id.hex(),
                    timestamp=timestamp,
                    line=sig.line().rstrip("\n"),
                )
        except IntegrityError:
            pass  # already kept (a retried task)
        return Outcome(witness.name, True, "已见证")
    return Outcome(witness.name, False, "见证方的回答中没有其密钥的有效见证签名")


def ask_witness(witness: WitnessConfig, cp: Checkpoint) -> Outcome:
    try:
        answer = _submit(witness, cp, _last_cosigned_size(witness.name))
        if answer.status == 409 and answer.content_type == "text/x.tlog.size":
            their_size = int(answer.body.strip() or "0")
            if their_size > cp.tree_size:
                return Outcome(
                    witness.name,
                    False,
                    f"见证方已见证过 {their_size} 条的账本，比当前 {cp.tree_size} 条更大："
                    "账本被回滚或截断",
                )
            answer = _submit(witness, cp, their_size)
    except OSError as err:
        return Outcome(witness.name, False, f"无法连接见证方：{err}")
    if answer.status != 200:
        return Outcome(witness.name, False, f"见证方拒绝（{answer.status}）：{answer.body.strip()}")
    return _keep(witness, cp, answer)


def request_cosignatures(cp: Checkpoint) -> list[Outcome]:
    outcomes = [ask_witness(witness, cp) for witness in configured()]
    for outcome in outcomes:
        if not outcome.ok:
            log.warning("witness %s: %s", outcome.witness, outcome.message)
    return outcomes


def witnessed(cp: Checkpoint) -> bool:
    """Whether ``cp`` carries the required number of valid cosignatures."""
    return valid_cosigners(cp) >= quorum()


def valid_cosigners(cp: Checkpoint) -> int:
    body = formats.checkpoint_body(cp)
    by_name = {w.name: w.key for w in configured()}
    count = 0
    for row in cp.cosignatures.all():
        key = by_name.get(row.witness)
        if key is None:
            continue
        sig = tlog.parse_note(body + "\n" + row.line + "\n").signatures[0]
        if key.timestamp_of(body, sig) is not None:
            count += 1
    return count
