"""The 笔录's side of ``verify_ledger``'s state check (``ledger.reconcile``).

Every sealed 笔录 has its ``transcript.sealed`` entry holding the hash of its text and of every
signature (``form.sealed_sha256``); the rows must still hash to it, the row's own copy must
agree, and each stored signature image must still hash to what its person's row says. A sealed
row without an entry, or an entry whose 笔录 is gone or back to draft, is named too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from sanxiang.ledger.reconcile import Divergence, Fact, Reconciler
from sanxiang.records import blobs

from . import form
from .models import Status, Transcript

EVENT_TYPES = ("transcript.sealed",)
TABLE = "transcripts_transcript"


def _stored_hash(name: str) -> str | None:
    try:
        with blobs.storage().open(name, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except (FileNotFoundError, OSError):
        return None


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    sealed = {f.payload["transcript"]: f for f in facts if "transcript" in f.payload}
    rows = {
        t.pk: t
        for t in Transcript.objects.filter(pk__in=sealed.keys())
        | Transcript.objects.filter(status=Status.SEALED)
    }
    for pk, t in sorted(rows.items()):
        fact = sealed.get(pk)
        if fact is None:
            if t.status == Status.SEALED:
                yield Divergence(
                    TABLE, str(pk), "status", None, "笔录标为已封存，账本中没有封存条目"
                )
            continue
        if t.status != Status.SEALED:
            yield Divergence(TABLE, str(pk), "status", fact.seq, "账本记载已封存的笔录被改回草稿")
            continue
        people = list(t.participants.order_by("position"))
        if form.sealed_sha256(t, people) != fact.payload.get("sealed_sha256"):
            yield Divergence(
                TABLE,
                str(pk),
                "sealed_sha256",
                fact.seq,
                "已封存笔录的内容或签名与账本记载的摘要不符",
            )
        elif t.sealed_sha256 != fact.payload.get("sealed_sha256"):
            yield Divergence(
                TABLE, str(pk), "sealed_sha256", fact.seq, "笔录记载的封存摘要与账本不符"
            )
        if t.document_id != fact.payload.get("document"):
            yield Divergence(TABLE, str(pk), "document", fact.seq, "笔录制发的文书与账本记载不符")
        for p in people:
            if p.signature_sha256 and _stored_hash(p.signature_name) != p.signature_sha256:
                yield Divergence(
                    "transcripts_participant",
                    str(p.pk),
                    "signature_name",
                    fact.seq,
                    "签名图片缺失或与摘要不符",
                )
    for pk in sorted(sealed.keys() - rows.keys()):
        yield Divergence(TABLE, str(pk), "id", sealed[pk].seq, "账本记载的笔录在表中不存在")


RECONCILER = Reconciler("transcripts", EVENT_TYPES, check)
