"""Writes of documents: issuing one (with its 文号) and recording a download. Each is one
function with its ledger entry in the same transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import require_agency_access, require_role
from sanxiang.cases import snapshots
from sanxiang.cases.deadlines import document_issued as document_clocks
from sanxiang.cases.execution_clocks import on_receipt_issued
from sanxiang.cases.models import Case
from sanxiang.catalog.models import Matter, MatterVersion
from sanxiang.directory.models import Agency
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import DEFINITIONS, Step

from . import queries, sealing
from .builders import PER_PARTY, build
from .content import DocumentContent
from .guards import RECEIPT, is_delivered, lacking_receipts, step_needs
from .kinds import Kind, get_kind
from .models import IssuedDocument, NumberSequence, StepRequirement
from .render_docx import render_docx
from .render_pdf import render_pdf
from .seal_image import seal_data_uri

FORMATS = ("pdf", "docx")
# Where rendered documents are stored, content-addressed (documents.cleanup sweeps it).
OBJECT_PREFIX = "documents"


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


def _store(data: bytes, suffix: str) -> StoredFile:
    """Save under the content's SHA-256 (content-addressed; an existing file is reused)."""
    digest = hashlib.sha256(data).hexdigest()
    name = f"{OBJECT_PREFIX}/{digest[:2]}/{digest}.{suffix}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    return StoredFile(name=name, sha256=digest, size=len(data))


def referenced_objects(names: set[str]) -> set[str]:
    """Which of ``names`` an issued document points at (for ``lib.orphans``)."""
    pdfs = IssuedDocument.objects.filter(pdf_name__in=names).values_list("pdf_name", flat=True)
    docx = IssuedDocument.objects.filter(docx_name__in=names).values_list("docx_name", flat=True)
    return set(pdfs) | set(docx)


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
    needs_draft = {
        "penalty_decision",
        "no_penalty_decision",
        "on_the_spot_decision",
        "licence_grant",
        "licence_refusal",
    }
    if kind.code in needs_draft and getattr(case, "draft", None) is None:
        raise ValidationFailed(f"制发《{kind.title}》前须先起草决定内容。", field="kind")
    lacking = queries.missing_text(case, kind.code)
    if lacking:
        # A kind made of another app's record (the 听证通知书's schedule), entered first.
        raise ValidationFailed(lacking, field="kind")
    if kind.code in NAMES_VIOLATION:
        _check_violation_named(case, kind)
    if kind.code in NOTICE_NAMES_PROVISIONS:
        _check_notice_provisions(case, kind)


# The documents whose body says "违反了《…》第…条的规定" (builders._violation): a blank there
# would be served as "违反了____的规定".
NAMES_VIOLATION = frozenset({"penalty_decision"})


def _check_violation_named(case: Case, kind: Kind) -> None:
    """行政处罚法 第59条第（二）项: the 决定书 states the facts and evidence of the violation, and
    第59条第（三）项 the kind and basis of the penalty: the provision violated is named apart
    from the one applied. Checked on the draft the document is built from (the reviewed
    snapshot once there is one: ``queries.sheet_from_case``)."""
    draft = queries.sheet_from_case(case).draft
    if draft is not None and not draft.violated_provision.strip():
        raise DomainError(
            "violated_provision_required",
            f"决定草稿未填写“违反的条款”，《{kind.title}》不能写成“违反了____的规定”。"
            "请在决定草稿中写明当事人违反的法律、法规、规章条款（行政处罚法 第59条），"
            "重新报送审核后再制发。",
            field="violated_provision",
        )


# --- 行政处罚事先告知书 (issue 10, h10a item 2) ---------------------------------------------
# 行政处罚法 第44条: the 告知 states 拟作出的行政处罚内容及事实、理由、依据. The notice prints
# "违反了《…》的规定，依据《…》" (builders.penalty_notice): without the provision violated and the
# one applied it would be served as "违反了____的规定", which tells the party no 依据 at all.
NOTICE_NAMES_PROVISIONS = frozenset({"penalty_notice"})
NOTICE_BASIS = (
    "行政处罚法 第44条：行政机关在作出行政处罚决定之前，应当告知当事人拟作出的行政处罚内容及事实、"
    "理由、依据"
)


def _check_notice_provisions(case: Case, kind: Kind) -> None:
    """The intended penalty (the draft), the provision violated and the provision applied,
    before the 事先告知书 is issued; the refusal names what is missing and cites 第44条."""
    sheet = queries.sheet_from_case(case)
    draft = sheet.draft
    lacking = []
    if draft is None:
        lacking.append("拟作出的行政处罚内容（决定草稿）")
    if draft is None or not draft.violated_provision.strip():
        lacking.append("违反的条款")
    applied = draft.legal_basis.strip() if draft is not None else ""
    if not (applied or sheet.matter_basis.strip()):
        lacking.append("处罚依据（适用的条款）")
    if lacking:
        raise DomainError(
            "violated_provision_required",
            f"《{kind.title}》须写明{'、'.join(lacking)}，不能写成“违反了____的规定”。"
            f"请先在决定草稿中填写后再制发（{NOTICE_BASIS}）。",
            field="violated_provision",
        )


@dataclass(frozen=True)
class StoredFile:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Rendered:
    """A document rendered and stored before its row exists: what the commit must match."""

    seq: int | None
    number: str
    issued_at: datetime
    content_sha256: str
    pdf: StoredFile
    docx: StoredFile


class _Stale(Exception):
    """The number or the case changed between rendering and committing: render again."""


def _number_for(case: Case, kind: Kind, seq: int | None, issued_at: datetime) -> str:
    if seq is None:
        return ""
    return format_number(case.agency.short_name, kind.word, timezone.localdate(issued_at).year, seq)


def _content(
    case: Case, kind: Kind, seq: int | None, issued_at: datetime, party: int | None = None
) -> DocumentContent:
    sheet = queries.sheet_from_case(case)
    if party is not None:
        sheet = queries.addressed_to(case, sheet, party)
    return build(
        kind,
        sheet,
        number=_number_for(case, kind, seq, issued_at),
        issued_on=timezone.localdate(issued_at),
    )


def _render(
    case: Case, kind: Kind, seq: int | None, issued_at: datetime, party: int | None = None
) -> Rendered:
    """Build, render (PDF and DOCX), seal the PDF and store both; slow, so run outside any
    lock when possible. The stored PDF is the signed one: its hash is what the ledger gets."""
    content = _content(case, kind, seq, issued_at, party)
    content_sha256 = content.sha256()
    if kind.decision and content.number:
        link = queries.verification_link(content.number, content_sha256)
        content = replace(content, verification_url=link)
    signer = sealing.signer_for(case.agency)
    if signer is None:
        pdf = render_pdf(content)
    else:
        pdf = render_pdf(content, seal=seal_data_uri(case.agency.name))
        what = f"《{kind.title}》{content.number}".strip()
        pdf = sealing.sign_pdf(
            pdf, signer, reason=f"{case.agency.name}制发{what}", location=case.agency.name
        )
    return Rendered(
        seq=seq,
        number=content.number,
        issued_at=issued_at,
        content_sha256=content_sha256,
        pdf=_store(pdf, "pdf"),
        docx=_store(render_docx(content), "docx"),
    )


def peek_number(agency_id: int, year: int, kind: str) -> int:
    """The number the next issue would get, read without a lock (it may be taken meanwhile)."""
    last = (
        NumberSequence.objects.filter(agency_id=agency_id, year=year, kind=kind)
        .values_list("last", flat=True)
        .first()
    )
    return (last or 0) + 1


def _check_numbering(case: Case, kind: Kind) -> None:
    if kind.numbered and not case.agency.short_name:
        raise ValidationFailed(f"执法主体“{case.agency.name}”未设置文号简称，无法编号。")


# Optimistic renders before falling back to rendering while holding the locks: two officers
# of one agency issuing the same kind in the same second is rare, but progress is guaranteed.
OPTIMISTIC_ATTEMPTS = 3


def issue_document(
    *, actor: User, case_id: int, kind: str, party_id: int | None = None
) -> IssuedDocument:
    """Issue a document of ``kind`` for a case: number it, render DOCX and PDF, store both.

    Rendering takes a good part of a second, so it happens before the transaction (issue 9,
    item 7): the document is rendered with the number the counter would give next and stored
    content-addressed; the short transaction then locks the case and the counter, takes the
    number, and commits the row and its ledger entry only if the number and the content built
    from the case are still exactly those rendered. Otherwise the render is repeated (and after
    ``OPTIMISTIC_ATTEMPTS`` done under the locks). A rolled-back or repeated render leaves at
    most an unreferenced object, which ``documents.cleanup`` removes. Numbers stay gap-free:
    a number is only taken in the committing transaction.

    ``party_id``: for a kind served on each party apart (``builders.PER_PARTY``, e.g. the
    送达回证 of each 受送达人), the one party the document addresses; by default all of them.
    """
    the_kind = get_kind(kind)
    if the_kind is None:
        raise ValidationFailed(f"未知的文书种类“{kind}”。", field="kind")
    if party_id is not None and the_kind.code not in PER_PARTY:
        raise ValidationFailed(
            f"《{the_kind.title}》按案件制发，不能只写一名当事人。", field="party_id"
        )
    for _ in range(OPTIMISTIC_ATTEMPTS):
        case = queries.case_for(actor, case_id, issue=True)
        _check_may_issue(case, the_kind)
        _check_numbering(case, the_kind)
        issued_at = timezone.now()
        seq = None
        if the_kind.numbered:
            year = timezone.localdate(issued_at).year
            seq = peek_number(case.agency_id, year, the_kind.code)
        rendered = _render(case, the_kind, seq, issued_at, party_id)
        try:
            return _commit(
                actor=actor, case_id=case_id, kind=the_kind, rendered=rendered, party=party_id
            )
        except _Stale:
            continue
    return _commit(actor=actor, case_id=case_id, kind=the_kind, rendered=None, party=party_id)


@transaction.atomic(durable=True)
def _commit(
    *, actor: User, case_id: int, kind: Kind, rendered: Rendered | None, party: int | None = None
) -> IssuedDocument:
    """The short transaction of an issue: checks again under the locks, numbers, writes."""
    queries.case_for(actor, case_id, issue=True)
    # Lock the case: its stage cannot move and a single-per-case kind cannot be issued twice
    # while this document is being committed.
    case = Case.objects.select_for_update().select_related("agency", "matter").get(pk=case_id)
    _check_may_issue(case, kind)
    _check_numbering(case, kind)
    agency: Agency = case.agency
    issued_at = rendered.issued_at if rendered is not None else timezone.now()
    year = timezone.localdate(issued_at).year
    seq = allocate_number(agency_id=agency.pk, year=year, kind=kind.code) if kind.numbered else None
    if rendered is None:
        rendered = _render(case, kind, seq, issued_at, party)
    elif (
        seq != rendered.seq
        or _content(case, kind, seq, issued_at, party).sha256() != rendered.content_sha256
    ):
        raise _Stale
    snapshot = snapshots.document_snapshot(case)
    return _record(
        actor=actor,
        case=case,
        kind=kind,
        rendered=rendered,
        year=year,
        snapshot=snapshot.hash if snapshot is not None else "",
        # The one party a per-party document addresses (builders.PER_PARTY); absent: all.
        extra={"party": party} if party is not None else {},
    )


def _record(
    *,
    actor: User,
    case: Case,
    kind: Kind,
    rendered: Rendered,
    year: int,
    snapshot: str,
    extra: dict[str, object],
) -> IssuedDocument:
    """The issued document's row and its ``document.issued`` entry (in the caller's
    transaction), whichever way it was composed."""
    doc = IssuedDocument.objects.create(
        case=case,
        agency_id=case.agency_id,
        kind=kind.code,
        title=kind.title,
        single=kind.single,
        year=year,
        seq=rendered.seq,
        number=rendered.number,
        issued_at=rendered.issued_at,
        issued_by=actor,
        content_sha256=rendered.content_sha256,
        pdf_name=rendered.pdf.name,
        pdf_sha256=rendered.pdf.sha256,
        pdf_size=rendered.pdf.size,
        docx_name=rendered.docx.name,
        docx_sha256=rendered.docx.sha256,
        docx_size=rendered.docx.size,
    )
    append(
        event_type="document.issued",
        payload={
            "document": doc.pk,
            "kind": kind.code,
            "title": kind.title,
            "number": rendered.number,
            "content_sha256": rendered.content_sha256,
            "pdf_sha256": rendered.pdf.sha256,
            "docx_sha256": rendered.docx.sha256,
            # The draft snapshot the document was rendered from (cases.snapshots), if any.
            "snapshot": snapshot,
            **extra,
            **_clocks(case, doc),
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return doc


def _clocks(case: Case, doc: IssuedDocument) -> dict[str, object]:
    """The clocks the document starts or stops, for its entry (``cases.clocks.replay``): a
    送达回证 after a 催告书 starts the 催告 period (行政强制法 第54条, 第69条: working days); a
    kind a ``DeadlineRule`` names (``starts_with_document``) starts or stops its clock."""
    on = timezone.localdate(doc.issued_at)
    # 行政处罚法 第56条: the 先行登记保存 notice starts, its 处理决定书 stops, a 七日 clock.
    changed = document_clocks(case, case.definition, doc.kind, on)
    if doc.kind == RECEIPT:
        changed["started"] += on_receipt_issued(case, receipt_id=doc.pk, on=on)["started"]
    return {"clocks": changed} if changed["started"] or changed["stopped"] else {}


def issue_for_step(*, actor: User, case_id: int, target: str) -> list[IssuedDocument]:
    """Issue, one by one, the documents the step from the case's stage to ``target`` still
    lacks (``Step.requires``): the kind the stage offers, and a 送达回证 after it where it must
    be delivered. Each is a full ``issue_document``; returns those issued."""
    case = queries.case_for(actor, case_id, issue=True)
    step = _step_to_prepare(case, target)
    if step is None:
        return []
    done: list[IssuedDocument] = []
    for need in step_needs(case, step):  # the law's and the agency's (StepRequirement)
        last = IssuedDocument.objects.filter(case=case, kind__in=need.kinds).order_by("-pk").first()
        if last is None:
            offered = {k.code for k in queries.issuable_kinds(case)}
            kind = next((k for k in need.kinds if k in offered), need.kinds[0])
            last = issue_document(actor=actor, case_id=case_id, kind=kind)
            done.append(last)
        if not need.delivered:
            continue
        receipts = IssuedDocument.objects.filter(case=case, kind=RECEIPT, pk__gt=last.pk)
        if not is_delivered(case.pk, last.pk, list(receipts.values_list("pk", flat=True))):
            parties = list(case.parties.values_list("pk", flat=True))
            if len(parties) <= 1:
                done.append(issue_document(actor=actor, case_id=case_id, kind=RECEIPT))
                continue
        # 每名受送达人一份送达回证 (guards.RECEIPT_BASIS): the receipt of each party still lacking.
        for party in lacking_receipts(case.pk, need.kinds)[1]:
            one = party.pk or None
            done.append(issue_document(actor=actor, case_id=case_id, kind=RECEIPT, party_id=one))
    return done


def _step_to_prepare(case: Case, target: str) -> Step | None:
    """Of the steps from the case's stage to ``target``, the one whose documents can be made
    now (审查 → 结案: the 案件移送书 once the 移送 is prepared, the 不予行政处罚决定书 once its
    ground is), else the first."""
    steps = case.definition.steps_between(case.stage, target)
    for step in steps:
        kinds = [k for need in step.requires for k in need.kinds]
        if len(steps) == 1 or (kinds and not queries.missing_text(case, kinds[0])):
            return step
    return steps[0] if steps else None


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


ComposeContent = Callable[[str, datetime], DocumentContent]


def render_composed(*, case: Case, kind: Kind, content: DocumentContent) -> Rendered:
    """Render and store a document whose content another app composed (a structured 笔录),
    outside any transaction; ``commit_composed`` then records it if nothing changed."""
    issued_at = timezone.now()
    return _render_content(case, kind, content, seq=None, issued_at=issued_at)


def _render_content(
    case: Case, kind: Kind, content: DocumentContent, *, seq: int | None, issued_at: datetime
) -> Rendered:
    signer = sealing.signer_for(case.agency)
    if signer is None:
        pdf = render_pdf(content)
    else:
        pdf = render_pdf(content, seal=seal_data_uri(case.agency.name))
        what = f"《{kind.title}》{content.number}".strip()
        pdf = sealing.sign_pdf(
            pdf, signer, reason=f"{case.agency.name}制发{what}", location=case.agency.name
        )
    return Rendered(
        seq=seq,
        number=content.number,
        issued_at=issued_at,
        content_sha256=content.sha256(),
        pdf=_store(pdf, "pdf"),
        docx=_store(render_docx(content), "docx"),
    )


def commit_composed(
    *, actor: User, case: Case, kind: Kind, compose: ComposeContent, rendered: Rendered | None
) -> IssuedDocument:
    """Record a composed document inside the caller's transaction (the caller holds the lock on
    what the content is made of, and writes its own ledger entry beside ``document.issued``).

    No stage check: a 笔录 is made when the investigation needs it, not at one stage. A numbered
    kind (local practice, ``SANXIANG_DOCUMENT_KINDS``) takes its number here; ``rendered`` is
    used if its number and content are still those ``compose`` gives, else the content is
    rendered again under the caller's locks."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("commit_composed runs inside the caller's transaction")
    _check_numbering(case, kind)
    issued_at = rendered.issued_at if rendered is not None else timezone.now()
    year = timezone.localdate(issued_at).year
    seq = (
        allocate_number(agency_id=case.agency_id, year=year, kind=kind.code)
        if kind.numbered
        else None
    )
    content = compose(_number_for(case, kind, seq, issued_at), issued_at)
    if rendered is None or rendered.seq != seq or rendered.content_sha256 != content.sha256():
        rendered = _render_content(case, kind, content, seq=seq, issued_at=issued_at)
    return _record(
        actor=actor, case=case, kind=kind, rendered=rendered, year=year, snapshot="", extra={}
    )


# --- The agency's own step-bound documents (issue 10, item 2: overridable per agency) --------


@dataclass(frozen=True)
class StepRequirementData:
    procedure: str
    source: str
    target: str
    kind: str
    basis: str
    valid_from: date
    delivered: bool = False
    matter_id: int | None = None


def validate_step_requirement(agency_id: int, data: StepRequirementData) -> Step:
    """The step the row adds to; refuses what the agency cannot add (a Chinese message)."""
    definition = DEFINITIONS.get(data.procedure)
    if definition is None:
        raise ValidationFailed("程序无效。", field="procedure")
    step = definition.step(data.source, data.target)
    if step is None:
        raise ValidationFailed(f"{definition.label}没有该环节。", field="step")
    kind = get_kind(data.kind)
    if kind is None:
        raise ValidationFailed("文书种类无效。", field="kind")
    if kind.code not in queries.step_offers(step):
        raise ValidationFailed(
            f"“{step.label}”环节不制作《{kind.title}》，不能要求先行制发。", field="kind"
        )
    if not data.basis.strip():
        raise ValidationFailed("请填写本机关的依据或理由。", field="basis")
    if data.valid_from < timezone.localdate():
        # A step already taken was taken under the rows then in force; a row dated back would
        # make those case files incomplete at 归档 for a rule that did not exist.
        raise ValidationFailed(
            "生效日期不能早于今天：新增的要求不溯及已经办理的环节。", field="valid_from"
        )
    if data.matter_id is not None:
        if not Matter.objects.filter(pk=data.matter_id, agency_id=agency_id).exists():
            raise ValidationFailed("执法事项不属于本执法主体。", field="matter")
        versions = MatterVersion.objects.filter(matter_id=data.matter_id)
        if not versions.filter(category=definition.category).exists():
            raise ValidationFailed("该执法事项不适用此程序。", field="matter")
    for need in step.requires:
        if kind.code in need.kinds and (need.delivered or not data.delivered):
            raise DomainError(
                "conflict", f"法定要求已包含《{kind.title}》（{need.basis}），无需重复增设。"
            )
    same = StepRequirement.objects.filter(
        agency_id=agency_id,
        procedure=data.procedure,
        source=data.source,
        target=data.target,
        kind=kind.code,
        valid_to__isnull=True,
    )
    if data.matter_id is None:
        same = same.filter(matter__isnull=True)
    else:
        same = same.filter(matter_id=data.matter_id)
    if same.exists():
        raise DomainError("conflict", f"本机关已对该环节增设《{kind.title}》，请勿重复添加。")
    return step


def _may_configure(actor: User, agency_id: int) -> None:
    require_role(actor, Role.HEAD, Role.ADMIN)
    require_agency_access(actor, agency_id, write=True)
    if not actor.is_superuser and actor.agency_id != agency_id:
        raise DomainError("forbidden", "只能配置本机关的环节文书。")


@transaction.atomic(durable=True)
def add_step_requirement(
    *, actor: User, agency_id: int, data: StepRequirementData
) -> StepRequirement:
    """Add a document the agency requires before a step (only stricter: the law's stand)."""
    _may_configure(actor, agency_id)
    validate_step_requirement(agency_id, data)
    kind = get_kind(data.kind)
    assert kind is not None  # noqa: S101 - validated above
    row = StepRequirement.objects.create(
        agency_id=agency_id,
        procedure=data.procedure,
        source=data.source,
        target=data.target,
        kind=kind.code,
        delivered=data.delivered,
        matter_id=data.matter_id,
        basis=data.basis.strip(),
        valid_from=data.valid_from,
        created_by=actor,
        created_at=timezone.now(),
    )
    append(
        event_type="document.step_requirement_added",
        payload=step_requirement_payload(row),
        actor=actor,
        agency_id=agency_id,
    )
    return row


def step_requirement_payload(row: StepRequirement) -> dict[str, Any]:
    """What the ledger keeps of a row (``reconcile`` compares the table with it)."""
    return {
        "row": row.pk,
        "procedure": row.procedure,
        "source": row.source,
        "target": row.target,
        "kind": row.kind,
        "delivered": row.delivered,
        "matter": row.matter_id,
        "basis": row.basis,
        "valid_from": row.valid_from.isoformat(),
    }


@transaction.atomic(durable=True)
def end_step_requirement(*, actor: User, row_id: int, valid_to: date) -> StepRequirement:
    """End a row's validity (kept in the list's history; nothing is deleted)."""
    row = StepRequirement.objects.filter(pk=row_id).first()
    if row is None:
        raise DomainError("not_found", "未找到该条目。")
    _may_configure(actor, row.agency_id)
    if valid_to < row.valid_from:
        raise ValidationFailed("失效日期不能早于生效日期。", field="valid_to")
    if valid_to < timezone.localdate():
        raise ValidationFailed(
            "失效日期不能早于今天：已经适用该要求的环节仍按其办理。", field="valid_to"
        )
    changed = StepRequirement.objects.filter(pk=row.pk, valid_to__isnull=True).update(
        valid_to=valid_to
    )
    if changed != 1:
        raise DomainError("conflict", "该条目已失效。")
    append(
        event_type="document.step_requirement_ended",
        payload={"row": row.pk, "valid_to": valid_to.isoformat()},
        actor=actor,
        agency_id=row.agency_id,
    )
    row.refresh_from_db()
    return row
