"""Writes of documents: issuing one (with its 文号) and recording a download. Each is one
function with its ledger entry in the same transaction."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.cases import snapshots
from sanxiang.cases.models import Case
from sanxiang.directory.models import Agency
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed

from . import queries
from .builders import build
from .kinds import Kind, get_kind
from .models import IssuedDocument, NumberSequence
from .render_docx import render_docx
from .render_pdf import render_pdf

FORMATS = ("pdf", "docx")


def format_number(short_name: str, word: str, year: int, seq: int) -> str:
    """兴民宗罚决字〔2026〕第1号: agency short name, the kind's 字, year in 六角括号, number."""
    return f"{short_name}{word}字〔{year}〕第{seq}号"


def allocate_number(*, agency_id: int, year: int, kind: str) -> int:
    """The next sequence number for (agency, year, kind); runs inside the issuing transaction.

    The counter row is created if missing with INSERT … ON CONFLICT DO NOTHING (two first
    issues racing both succeed, one of them inserting), then locked with SELECT … FOR UPDATE,
    so concurrent issues queue on it. The increment commits or rolls back with the document:
    a failed issue gives its number back and the numbers stay gap-free.
    """
    NumberSequence.objects.bulk_create(
        [NumberSequence(agency_id=agency_id, year=year, kind=kind, last=0)],
        ignore_conflicts=True,
    )
    counter = NumberSequence.objects.select_for_update().get(
        agency_id=agency_id, year=year, kind=kind
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _store(data: bytes, suffix: str) -> tuple[str, str]:
    """Save under the content's SHA-256 (content-addressed; an existing file is reused)."""
    digest = hashlib.sha256(data).hexdigest()
    name = f"documents/{digest[:2]}/{digest}.{suffix}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    return name, digest


def _check_may_issue(case: Case, kind: Kind) -> None:
    allowed = queries.allowed_kinds(case)
    if kind.code not in {k.code for k in allowed}:
        now = "、".join(f"《{k.title}》" for k in allowed) or "无"
        raise DomainError(
            "conflict",
            f"案件处于“{case.stage_label}”阶段，不能制发《{kind.title}》。当前可制发：{now}。",
        )
    if kind.single and IssuedDocument.objects.filter(case=case, kind=kind.code).exists():
        raise DomainError("conflict", f"本案已制发《{kind.title}》，每案只能制发一份。")
    needs_draft = {"penalty_decision", "no_penalty_decision", "licence_grant", "licence_refusal"}
    if kind.code in needs_draft and getattr(case, "draft", None) is None:
        raise ValidationFailed(f"制发《{kind.title}》前须先起草决定内容。", field="kind")


@transaction.atomic(durable=True)
def issue_document(*, actor: User, case_id: int, kind: str) -> IssuedDocument:
    """Issue a document of ``kind`` for a case: number it, render DOCX and PDF, store both."""
    the_kind = get_kind(kind)
    if the_kind is None:
        raise ValidationFailed(f"未知的文书种类“{kind}”。", field="kind")
    queries.case_for(actor, case_id, issue=True)
    # Lock the case: its stage cannot move and a single-per-case kind cannot be issued twice
    # while this document is being made.
    case = Case.objects.select_for_update().select_related("agency", "matter").get(pk=case_id)
    _check_may_issue(case, the_kind)
    agency: Agency = case.agency
    issued_at = timezone.now()
    year = timezone.localdate(issued_at).year
    seq, number = None, ""
    if the_kind.numbered:
        if not agency.short_name:
            raise ValidationFailed(f"执法主体“{agency.name}”未设置文号简称，无法编号。")
        seq = allocate_number(agency_id=agency.pk, year=year, kind=the_kind.code)
        number = format_number(agency.short_name, the_kind.word, year, seq)
    snapshot = snapshots.document_snapshot(case)
    content = build(
        the_kind,
        queries.sheet_from_case(case),
        number=number,
        issued_on=timezone.localdate(issued_at),
    )
    content_sha256 = content.sha256()
    if the_kind.decision and number:
        link = queries.verification_link(number, content_sha256)
        content = replace(content, verification_url=link)
    pdf, docx = render_pdf(content), render_docx(content)
    pdf_name, pdf_sha256 = _store(pdf, "pdf")
    docx_name, docx_sha256 = _store(docx, "docx")
    doc = IssuedDocument.objects.create(
        case=case,
        agency=agency,
        kind=the_kind.code,
        title=the_kind.title,
        single=the_kind.single,
        year=year,
        seq=seq,
        number=number,
        issued_at=issued_at,
        issued_by=actor,
        content_sha256=content_sha256,
        pdf_name=pdf_name,
        pdf_sha256=pdf_sha256,
        pdf_size=len(pdf),
        docx_name=docx_name,
        docx_sha256=docx_sha256,
        docx_size=len(docx),
    )
    append(
        event_type="document.issued",
        payload={
            "document": doc.pk,
            "kind": the_kind.code,
            "title": the_kind.title,
            "number": number,
            "content_sha256": content_sha256,
            "pdf_sha256": pdf_sha256,
            "docx_sha256": docx_sha256,
            # The draft snapshot the document was rendered from (cases.snapshots), if any.
            "snapshot": snapshot.hash if snapshot is not None else "",
        },
        actor=actor,
        agency_id=agency.pk,
        case_id=case.pk,
    )
    return doc


@transaction.atomic(durable=True)
def record_download(*, actor: User, document_id: int, fmt: str) -> IssuedDocument:
    """Record that ``actor`` fetched a document's file: every look at a record is logged."""
    if fmt not in FORMATS:
        raise ValidationFailed("文件格式只能是 pdf 或 docx。", field="fmt")
    doc = queries.document_for(actor, document_id)
    append(
        event_type="document.downloaded",
        payload={
            "document": doc.pk,
            "number": doc.number,
            "title": doc.title,
            "format": fmt,
            "sha256": doc.pdf_sha256 if fmt == "pdf" else doc.docx_sha256,
        },
        actor=actor,
        agency_id=doc.agency_id,
        case_id=doc.case_id,
    )
    return doc
