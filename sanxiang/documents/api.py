"""/api/v1/documents: issue a document, list a case's documents, download a file."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from sanxiang.accounts.api_auth import StaffSession
from sanxiang.accounts.decorators import acting_user

from . import queries, services
from .kinds import get_kind
from .models import IssuedDocument
from .views import file_response

router = Router(tags=["文书"], auth=StaffSession())


class IssueIn(Schema):
    case_id: int
    kind: str


class DocumentOut(Schema):
    id: int
    case_id: int
    kind: str
    title: str
    number: str
    issued_at: datetime
    issued_by: str
    content_sha256: str
    pdf_sha256: str
    docx_sha256: str
    verification_url: str
    pdf_url: str
    docx_url: str


class KindOut(Schema):
    code: str
    title: str
    numbered: bool


class CaseDocumentsOut(Schema):
    items: list[DocumentOut]
    issuable: list[KindOut]


def _out(doc: IssuedDocument) -> DocumentOut:
    kind = get_kind(doc.kind)
    decision = kind is not None and kind.decision and bool(doc.number)
    base = f"/api/v1/documents/{doc.pk}/download"
    return DocumentOut(
        id=doc.pk,
        case_id=doc.case_id,
        kind=doc.kind,
        title=doc.title,
        number=doc.number,
        issued_at=doc.issued_at,
        issued_by=doc.issued_by.label,
        content_sha256=doc.content_sha256,
        pdf_sha256=doc.pdf_sha256,
        docx_sha256=doc.docx_sha256,
        verification_url=queries.verification_url(doc) if decision else "",
        pdf_url=f"{base}/pdf",
        docx_url=f"{base}/docx",
    )


@router.post("", response={201: DocumentOut}, summary="制发文书（分配文号，生成 DOCX 与 PDF）")
def issue(request: HttpRequest, payload: IssueIn) -> Status:
    doc = services.issue_document(
        actor=acting_user(request), case_id=payload.case_id, kind=payload.kind
    )
    return Status(201, _out(doc))


@router.get("", response=CaseDocumentsOut, summary="案件的文书及当前可制发的种类")
def list_for_case(request: HttpRequest, case_id: int) -> CaseDocumentsOut:
    case = queries.case_for(acting_user(request), case_id)
    issuable = [
        KindOut(code=k.code, title=k.title, numbered=k.numbered)
        for k in queries.issuable_kinds(case)
    ]
    return CaseDocumentsOut(items=[_out(d) for d in queries.documents_of(case)], issuable=issuable)


@router.get("/{document_id}/download/{fmt}", summary="下载文书文件（记入调阅日志）")
def download(request: HttpRequest, document_id: int, fmt: Literal["pdf", "docx"]) -> HttpResponse:
    doc = services.record_download(actor=acting_user(request), document_id=document_id, fmt=fmt)
    return file_response(doc, fmt)
