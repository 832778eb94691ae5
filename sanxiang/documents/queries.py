"""Reads of documents: who may see a case's documents, which kinds it may issue now, the case
data a document is filled from, the verification link printed on decisions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.accounts.queries import visible_agency_ids
from sanxiang.cases import snapshots
from sanxiang.cases.models import PENALTY_KINDS, Case, CaseSource, Circumstance, DecisionKind
from sanxiang.cases.queries import active_agents, is_on_team
from sanxiang.catalog.models import MatterVersion
from sanxiang.catalog.queries import in_force_on
from sanxiang.directory.models import Agency, AgencyLevel
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import DEFINITIONS, StageRole, Step

from .builders import DECISION_BODIES, build, decision_body
from .guards import RECEIPT, agency_rows_leaving
from .kinds import Kind, all_kinds, get_kind
from .models import IssuedDocument, StepRequirement
from .sheet import AgentSheet, CaseSheet, DraftSheet, Earlier, OfficerSheet, PartySheet

NOT_FOUND = "未找到该案件或文书，或无权访问。"
# A draft of these kinds swaps the penalty/licence decision offered for its opposite.
_SWAPS = {
    "penalty_decision": ("no_penalty_decision", {DecisionKind.NO_PENALTY}),
    "licence_grant": ("licence_refusal", {DecisionKind.LICENCE_REFUSAL}),
}


def verification_url(doc: IssuedDocument) -> str:
    """The public link in a decision's QR code; the disclosure app serves /gongshi/verify/.

    ``sha256`` is the document's ``content_sha256`` (the PDF cannot contain its own hash); the
    verify page may also accept the PDF's or the DOCX's hash, see ``document_for_verification``.
    """
    return verification_link(doc.number, doc.content_sha256)


def verification_link(number: str, sha256: str) -> str:
    query = urlencode({"doc": number, "sha256": sha256})
    return f"{settings.PUBLIC_BASE_URL}/gongshi/verify/?{query}"


def document_for_verification(number: str, sha256: str) -> IssuedDocument | None:
    """The issued document with this 文号 whose content, PDF or DOCX hash is ``sha256``."""
    for doc in IssuedDocument.objects.filter(number=number).select_related("agency"):
        if sha256.lower() in {doc.content_sha256, doc.pdf_sha256, doc.docx_sha256}:
            return doc
    return None


def case_for(user: Any, case_id: int, *, issue: bool = False) -> Case:
    """The case whose documents ``user`` may read (or issue, with ``issue=True``).

    Read: the case team, the agency's head and reviewers, the supervising 司法局 (read-only).
    Issue: the case team and the head. Another agency's case is ``not_found``.
    """
    if not getattr(user, "is_authenticated", False):
        raise DomainError("not_found", NOT_FOUND)
    case = Case.objects.select_related("agency", "matter").filter(pk=case_id).first()
    if case is None or case.agency_id not in visible_agency_ids(user):
        raise DomainError("not_found", NOT_FOUND)
    if user.is_superuser:
        return case
    role = user.role
    if issue:
        if role == Role.SUPERVISOR:
            raise DomainError("forbidden", "执法监督人员只能查看，不能制发文书。")
        if role != Role.HEAD and not (role == Role.OFFICER and is_on_team(user, case)):
            raise DomainError("forbidden", "只有本案办案人员或负责人可以制发文书。")
        return case
    if role in {Role.HEAD, Role.REVIEWER, Role.SUPERVISOR} or is_on_team(user, case):
        return case
    raise DomainError(
        "forbidden", "只有本案办案人员、负责人、法制审核人员和执法监督人员可以查看文书。"
    )


def document_for(user: Any, document_id: int) -> IssuedDocument:
    doc = IssuedDocument.objects.filter(pk=document_id).first()
    if doc is None:
        raise DomainError("not_found", NOT_FOUND)
    case_for(user, doc.case_id)
    return doc


def documents_of(case: Case) -> list[IssuedDocument]:
    return list(IssuedDocument.objects.filter(case=case).select_related("issued_by"))


def allowed_kinds(case: Case) -> list[Kind]:
    """Kinds the case may issue at its stage, from the procedure definition's ``Step.documents``.

    A document is made to take a step, so the stage offers the documents of the steps leaving
    it; a decision document (决定书) only once the decision is made, i.e. at the stage playing
    the decision role, from the steps entering or leaving it. The draft then picks 处罚 or
    不予处罚 (准予 or 不予许可).
    """
    definition = case.definition
    decision = definition.codes_with_role(StageRole.DECISION)
    codes: set[str] = set()
    for step in definition.steps:
        for title in step.documents:
            kind = get_kind(title)
            if kind is None:
                continue
            if kind.decision:
                if case.stage in decision and case.stage in (step.source, step.target):
                    codes.add(kind.code)
                elif step.source == case.stage and definition.is_closed(step.target):
                    # A decision that ends the case from here (不予处罚 at 审查, h10a).
                    codes.add(kind.code)
            elif step.source == case.stage:
                codes.add(kind.code)
    draft_kind = getattr(getattr(case, "draft", None), "kind", None)
    for code, (other, kinds) in _SWAPS.items():
        if code in codes and draft_kind in kinds:
            codes.discard(code)
            codes.add(other)
        elif other in codes and draft_kind is not None and draft_kind not in kinds:
            codes.discard(other)
    if codes and case.definition.category in {"penalty", "coercion"}:
        codes.add("address_confirmation")  # 行政处罚法 第61条: before anything is delivered
    # The agency's own rows (StepRequirement) on the steps leaving the stage: the document is
    # offered, and where the row asks delivery, the 送达回证 too.
    for added, delivered in agency_rows_leaving(case):
        codes.add(added)
        if delivered:
            codes.add(RECEIPT)
    return [k for k in all_kinds() if k.code in codes]


def issuable_kinds(case: Case) -> list[Kind]:
    """The kinds offered now: allowed at the stage, less single ones already issued."""
    issued = set(IssuedDocument.objects.filter(case=case).values_list("kind", flat=True))
    return [k for k in allowed_kinds(case) if not (k.single and k.code in issued)]


def read_file(doc: IssuedDocument, fmt: str) -> bytes:
    """The stored file, checked against the hash written when it was issued."""
    name, expected = (
        (doc.pdf_name, doc.pdf_sha256) if fmt == "pdf" else (doc.docx_name, doc.docx_sha256)
    )
    with default_storage.open(name, "rb") as handle:
        data: bytes = handle.read()
    if hashlib.sha256(data).hexdigest() != expected:
        raise DomainError("conflict", "文书文件与制发时的摘要不一致，可能已被篡改，请联系管理员。")
    return data


class _Current:
    """Marker: the snapshot a document of the case would render from now."""


CURRENT = _Current()


def _review_body(agency: Agency) -> str:
    # 行政复议法 (2023) 第24条: the government at the same level reviews its departments' acts.
    parent = agency.parent
    if parent is not None and parent.level == AgencyLevel.GOVERNMENT:
        return parent.name
    return "有管辖权的行政复议机关"


def _matter(case: Case) -> tuple[str, str]:
    version = (
        MatterVersion.objects.filter(in_force_on(case.opened_on), matter=case.matter).first()
        or MatterVersion.objects.filter(matter=case.matter).order_by("-number").first()
    )
    if version is None:
        return case.matter.code, ""
    basis = "、".join(
        f"《{b.get('law', '')}》{b.get('article', '')}" for b in version.legal_basis if b
    )
    return version.name, basis


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _draft(snapshot: dict[str, Any] | None) -> DraftSheet | None:
    """The draft as the ledgered snapshot holds it (``cases.snapshots``), never the live row."""
    if snapshot is None:
        return None
    d = snapshot["draft"]
    circumstance = d.get("circumstance") or ""
    return DraftSheet(
        kind=d["kind"],
        kind_label=str(DecisionKind(d["kind"]).label),
        fine_amount=_money(d.get("fine_amount")),
        confiscation_value=_money(d.get("confiscation_value")),
        legal_basis=d.get("legal_basis") or "",
        violated_provision=d.get("violated_provision") or "",
        circumstance_label=str(Circumstance(circumstance).label) if circumstance else "",
        benchmark_min=_money(d.get("benchmark_min")),
        benchmark_max=_money(d.get("benchmark_max")),
        outside_benchmark=bool(d.get("outside_benchmark")),
        outside_reason=d.get("outside_reason") or "",
        text=d.get("text") or "",
        penalties=_penalties(d["kind"], d.get("penalty_kinds") or ""),
    )


def _penalties(kind: str, additional: str) -> tuple[tuple[str, str], ...]:
    """Every penalty a draft imposes in 第9条's order, when it imposes more than one (并处)."""
    extra = {code for code in additional.split(",") if code}
    if not extra:
        return ()
    imposed = extra | {kind}
    return tuple((code, str(DecisionKind(code).label)) for code in PENALTY_KINDS if code in imposed)


def _agents_by_position(case: Case, at: datetime | None) -> list[tuple[AgentSheet, ...]]:
    """The agents acting at ``at`` (now) for each party of the case, in the parties' order
    (the snapshot's parties are in that order too: ``cases.snapshots``)."""
    acting: dict[int, list[AgentSheet]] = {}
    day = timezone.localdate(at) if at is not None else timezone.localdate()
    for a in active_agents(case, day, entered_by=at):
        acting.setdefault(a.party_id, []).append(
            AgentSheet(a.name, a.relation, a.authority_text, a.phone)
        )
    pks = case.parties.order_by("pk").values_list("pk", flat=True)
    return [tuple(acting.get(pk, ())) for pk in pks]


def _party(p: Any, agents: tuple[AgentSheet, ...] = ()) -> PartySheet:
    get = p.get if isinstance(p, dict) else lambda name, default="": getattr(p, name, default)
    return PartySheet(
        agents=agents,
        kind=get("kind", ""),
        name=get("name", ""),
        id_number=get("id_number", ""),
        credit_code=get("credit_code", ""),
        legal_representative=get("legal_representative", ""),
        address=get("address", ""),
        phone=get("phone", ""),
        is_minor=bool(get("is_minor", False)),
    )


_sheet_texts: dict[str, Callable[[Case], str]] = {}


_required_texts: dict[str, str] = {}


def register_sheet_text(kind: str, provider: Callable[[Case], str], *, required: str = "") -> None:
    """Let another app supply the variable text of a kind (the applicant app: the items an
    online 补正 asks for, in the 补正告知书); documents imports no app above it. ``required``:
    the kind is made of that text (the 听证通知书's schedule), so issuing it without the text is
    refused with this sentence."""
    _sheet_texts[kind] = provider
    if required:
        _required_texts[kind] = required


def missing_text(case: Case, kind: str) -> str:
    """The refusal of ``register_sheet_text(required=…)`` when the case lacks the text, or ""."""
    required = _required_texts.get(kind, "")
    if not required or _sheet_texts[kind](case):
        return ""
    return required


def sheet_from_case(
    case: Case,
    *,
    snapshot: dict[str, Any] | _Current | None = CURRENT,
    issued_before: int | None = None,
    as_at: datetime | None = None,
) -> CaseSheet:
    """Everything a document of ``case`` is filled from, read once.

    By default from the snapshot a document would render from now; ``issued_decision_body``
    passes the snapshot an issued document was rendered from and cuts ``earlier`` at it.
    """
    agency = case.agency
    matter_name, matter_basis = _matter(case)
    agents = _agents_by_position(case, as_at)
    if isinstance(snapshot, _Current):
        snapshot = snapshots.for_documents(case)
    members = case.members.filter(recused=False).select_related("officer")
    issued = IssuedDocument.objects.filter(case=case)
    if issued_before is not None:
        issued = issued.filter(pk__lt=issued_before)
    earlier = {
        d.kind: Earlier(d.title, d.number, timezone.localtime(d.issued_at).date())
        for d in issued.order_by("issued_at", "pk")
    }
    return CaseSheet(
        agency_name=agency.name,
        agency_short=agency.short_name,
        agency_address=agency.address,
        agency_phone=agency.phone,
        payment_instructions=agency.payment_instructions,
        review_body=_review_body(agency),
        case_number=case.number,
        case_title=case.title,
        matter_name=matter_name,
        matter_basis=matter_basis,
        source_label=str(CaseSource(case.source).label),
        facts=case.facts,
        opened_on=case.opened_on,
        decided_on=case.decided_on,
        # Once a draft is saved, the parties are those of its snapshot: the document names
        # whom the reviewed and decided draft names.
        parties=tuple(
            _party(p, agents[i] if i < len(agents) else ())
            for i, p in enumerate(snapshot["parties"] if snapshot else case.parties.all())
        ),
        officers=tuple(OfficerSheet(m.officer.name, m.officer.certificate_no) for m in members),
        draft=_draft(snapshot),
        earlier=earlier,
        provided={k: text for k, fn in _sheet_texts.items() if (text := fn(case))},
    )


def addressed_to(case: Case, sheet: CaseSheet, party_id: int) -> CaseSheet:
    """``sheet`` narrowed to one party of the case (a document served on each party apart:
    ``builders.PER_PARTY``). The sheet's parties are the case's in their order (or the
    snapshot's, in the same order), so the party is found by its position."""
    order = list(case.parties.order_by("pk").values_list("pk", flat=True))
    if party_id not in order:
        raise DomainError("validation_error", "所选当事人不是本案当事人。", field="party_id")
    index = order.index(party_id)
    if index >= len(sheet.parties):
        raise DomainError(
            "validation_error",
            "所选当事人在决定草稿保存后才登记，请先重新保存决定草稿。",
            field="party_id",
        )
    return replace(sheet, parties=(sheet.parties[index],))


@dataclass(frozen=True)
class FiledDocument:
    """An issued document as the 电子案卷 export (records.dossier) files it."""

    document: IssuedDocument

    @property
    def title(self) -> str:
        return f"{self.document.title} {self.document.number}".strip()

    @property
    def number(self) -> str:
        return str(self.document.number)

    @property
    def stage(self) -> str:
        return ""

    @property
    def created_at(self) -> datetime:
        return self.document.issued_at

    def pdf_bytes(self) -> bytes:
        return read_file(self.document, "pdf")


def for_case_file(case: Case) -> list[FiledDocument]:
    """The case's documents in issue order, for the 电子案卷 (filing follows issue order)."""
    return [FiledDocument(doc) for doc in documents_of(case)]


# --- the body of an issued decision, as served (issue 10 item 11) ------------------------------


def _issued_entry(doc: IssuedDocument) -> dict[str, Any]:
    """The payload of ``doc``'s ``document.issued`` ledger entry."""
    for entry in Entry.objects.filter(case_id=doc.case_id, event_type="document.issued"):
        payload: dict[str, Any] = json.loads(entry.payload)
        if payload.get("document") == doc.pk:
            return payload
    raise DomainError(
        "conflict", f"未找到《{doc.title}》{doc.number}的制发记录（账本），不能引用其内容。"
    )


def issued_decision_body(doc: IssuedDocument) -> tuple[str, ...]:
    """The body paragraphs of an issued decision (``builders.decision_body``) exactly as served.

    Rebuilt from what the document was rendered from: the draft snapshot its ``document.issued``
    entry names and the documents issued before it; then the whole content is hashed and must
    equal the ``content_sha256`` ledgered at issue and printed in its QR code. If the case has
    changed since (facts edited, the agency renamed, a row altered), the hash differs and this
    refuses: only a new document can say something new.
    """
    if doc.kind not in DECISION_BODIES:
        raise DomainError("validation_error", f"《{doc.title}》不是决定书，没有决定正文。")
    kind = get_kind(doc.kind)
    assert kind is not None  # noqa: S101 - every code of DECISION_BODIES is a kind
    payload = _issued_entry(doc)
    if payload.get("content_sha256") != doc.content_sha256:
        raise DomainError("conflict", f"《{doc.title}》{doc.number}的内容摘要与账本不一致。")
    case = Case.objects.select_related("agency", "matter").get(pk=doc.case_id)
    digest = payload.get("snapshot") or ""
    found = snapshots.find(digest) if digest else None
    if digest and found is None:
        raise DomainError("conflict", f"《{doc.title}》{doc.number}所依据的决定草稿快照缺失。")
    try:
        snapshot = snapshots.data_of(found) if found is not None else None
    except snapshots.SnapshotTampered:
        raise DomainError(
            "conflict", f"《{doc.title}》{doc.number}所依据的决定草稿快照已被改动。"
        ) from None
    sheet = sheet_from_case(case, snapshot=snapshot, issued_before=doc.pk, as_at=doc.issued_at)
    issued_on = timezone.localdate(doc.issued_at)
    content = build(kind, sheet, number=doc.number, issued_on=issued_on)
    if content.sha256() != doc.content_sha256:
        raise DomainError(
            "conflict",
            f"案件信息在《{doc.title}》{doc.number}制发后已变更，无法还原送达的决定书正文；"
            "如需公示新的内容，请重新制发决定书。",
        )
    return tuple(p.text for p in decision_body(doc.kind, sheet))


# --- Step-bound 文书, the law's and the agency's (issue 10, item 2), for the staff page and the
# portal's published list.


@dataclass(frozen=True)
class StepNeed:
    title: str  # 《…》或《…》
    delivered: bool
    basis: str  # the article (law) or the agency's basis
    row: Any = None  # the agency's StepRequirement, None for the law's


@dataclass(frozen=True)
class StepLine:
    procedure: str
    source: str
    target: str
    label: str
    stages: str  # 调查 → 审查
    law: tuple[StepNeed, ...]
    agency: tuple[StepNeed, ...]
    offers: tuple[tuple[str, str], ...]  # (code, title) the agency may require


@dataclass(frozen=True)
class ProcedureSteps:
    code: str
    label: str
    steps: tuple[StepLine, ...]


def step_offers(step: Step) -> list[str]:
    """The kind codes a step may require: the forms it produces and those the law requires."""
    codes: list[str] = []
    for title in step.documents:
        kind = get_kind(title)
        if kind is not None and kind.code not in codes:
            codes.append(kind.code)
    for need in step.requires:
        codes.extend(code for code in need.kinds if code not in codes)
    return codes


def _title_of(code: str) -> str:
    kind = get_kind(code)
    return f"《{kind.title if kind else code}》"


def step_requirement_list(
    agency: Agency, *, on: date | None = None, only_required: bool = False
) -> list[ProcedureSteps]:
    """Per procedure, each step's required 文书: the definition's (``Step.requires``, with its
    article) and the agency's rows in force on ``on`` (today). ``only_required``: leave out the
    steps that require nothing (the published list)."""
    day = on or timezone.localdate()
    rows = list(
        StepRequirement.objects.filter(in_force_on(day), agency=agency)
        .select_related("matter")
        .order_by("pk")
    )
    out = []
    for definition in DEFINITIONS.values():
        lines = []
        for step in definition.steps:
            law = tuple(
                StepNeed("或".join(_title_of(c) for c in n.kinds), n.delivered, n.basis)
                for n in step.requires
            )
            added = tuple(
                StepNeed(_title_of(r.kind), r.delivered, r.basis, r)
                for r in rows
                if (r.procedure, r.source, r.target) == (definition.code, step.source, step.target)
            )
            offers = tuple((c, _title_of(c)) for c in step_offers(step))
            if only_required and not (law or added):
                continue
            if not (law or added or offers):
                continue
            stages = f"{definition.label_of(step.source)} → {definition.label_of(step.target)}"
            lines.append(
                StepLine(
                    definition.code,
                    step.source,
                    step.target,
                    step.label,
                    stages,
                    law,
                    added,
                    offers,
                )
            )
        if lines:
            out.append(ProcedureSteps(definition.code, definition.label, tuple(lines)))
    return out
