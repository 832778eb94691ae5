"""Reads of 笔录: who may see or write one (the rules of the case's documents), its signatures."""

from __future__ import annotations

import hashlib
from typing import Any

from sanxiang.cases.models import Case
from sanxiang.documents import queries as document_queries
from sanxiang.lib.errors import DomainError
from sanxiang.records import blobs

from .models import Participant, Transcript

NOT_FOUND = "未找到该笔录，或无权访问。"


def transcript_for(user: Any, transcript_id: int, *, write: bool = False) -> Transcript:
    """The 笔录 if ``user`` may read the case's documents (write: the team and the head).
    Another agency's 笔录 is ``not_found``, as its case would be."""
    t = Transcript.objects.select_related("case", "case__agency").filter(pk=transcript_id).first()
    if t is None:
        raise DomainError("not_found", NOT_FOUND)
    document_queries.case_for(user, t.case_id, issue=write)
    return t


def transcripts_of(case: Case) -> list[Transcript]:
    return list(Transcript.objects.filter(case=case).select_related("document").order_by("pk"))


def people_of(t: Transcript) -> list[Participant]:
    return list(t.participants.select_related("refusal_witness").order_by("position"))


def signature_png(p: Participant) -> bytes:
    """The stored signature, checked against the hash the row (and the ledger) holds."""
    data = b"".join(
        blobs.read_range(p.signature_name, 0, blobs.storage().size(p.signature_name) - 1)
    )
    if hashlib.sha256(data).hexdigest() != p.signature_sha256:
        raise DomainError("conflict", f"{p.name}的签名图片与记录的摘要不符。")
    return data
