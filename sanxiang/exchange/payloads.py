"""What the outbox pushes, and the 双公示 rows for the credit platforms.

The 行政处罚/行政许可 双公示 fields follow the data items the credit platforms ask for (国家
发展改革委办公厅关于进一步规范"信用中国"网站和地方信用门户网站行政处罚信息公示工作的通知, 发改办财金
〔2017〕1171号, and the 行政许可/行政处罚信息 双公示 数据标准). Everything here is the *published*
(masked) text: an identity number of a natural person is never pushed (DOMAIN.md, "Mask").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from sanxiang.cases.models import DecisionDraft, DecisionKind
from sanxiang.catalog.models import MatterVersion
from sanxiang.catalog.queries import in_force_on
from sanxiang.disclosure.models import AnnualReport, Publication
from sanxiang.inspections.models import Assignment, Outcome, TargetKind
from sanxiang.inspections.queries import masked_name
from sanxiang.lib.masking import mask_text
from sanxiang.licensing.queries import category_label, decided_terms

# (key in the JSON, column header of the credit platforms' 行政处罚 template), in the template's
# order: the 行政处罚信息 data items of 信用中国 (发改办财金〔2017〕1171号 and the 双公示 data
# standard that followed it). The last two columns are ours: the portal page and the remark.
CREDIT_FIELDS: list[tuple[str, str]] = [
    ("party_name", "行政相对人名称"),
    ("party_category", "行政相对人类别"),
    ("party_credit_code", "行政相对人代码_1(统一社会信用代码)"),
    ("legal_representative", "法定代表人"),
    ("doc_number", "行政处罚决定书文号"),
    ("violation_type", "违法行为类型"),
    ("facts", "违法事实"),
    ("basis", "处罚依据"),
    ("penalty_types", "处罚类别"),
    ("content", "处罚内容"),
    ("fine_10k", "罚款金额(万元)"),
    ("confiscation_10k", "没收违法所得、没收非法财物的金额(万元)"),
    ("licence", "暂扣或吊销证照名称及编号"),
    ("decided_on", "处罚决定日期"),
    ("penalty_valid_until", "处罚有效期"),
    ("publicity_until", "公示截止期"),
    ("agency_name", "处罚机关"),
    ("agency_credit_code", "处罚机关统一社会信用代码"),
    ("source_name", "数据来源单位"),
    ("source_credit_code", "数据来源单位统一社会信用代码"),
    ("url", "公示网址"),
    ("note", "备注"),
]
# The 行政许可信息 data items of 信用中国 (the 双公示 data standard that followed 发改办财金
# 〔2017〕1171号; 2019 template), in the template's order, the columns a 法人及非法人组织 or
# 自然人 party needs (行政相对人代码_2…_6 and the ID-document columns are left out: we hold only
# the 统一社会信用代码, and a natural person's identity number is never pushed). 公示网址 is
# ours, as in the 行政处罚 file.
LICENCE_FIELDS: list[tuple[str, str]] = [
    ("party_name", "行政相对人名称"),
    ("party_category", "行政相对人类别"),
    ("party_credit_code", "行政相对人代码_1(统一社会信用代码)"),
    ("legal_representative", "法定代表人"),
    ("doc_title", "行政许可决定文书名称"),
    ("doc_number", "行政许可决定文书号"),
    ("licence_category", "许可类别"),
    ("certificate_name", "许可证书名称"),
    ("licence_number", "许可编号"),
    ("content", "许可内容"),
    ("decided_on", "许可决定日期"),
    ("valid_from", "有效期自"),
    ("valid_until", "有效期至"),
    ("agency_name", "许可机关"),
    ("agency_credit_code", "许可机关统一社会信用代码"),
    ("current_status", "当前状态"),
    ("source_name", "数据来源单位"),
    ("source_credit_code", "数据来源单位统一社会信用代码"),
    ("url", "公示网址"),
    ("note", "备注"),
]
# The licence decisions of the 行政许可 file: a grant (准予), and the decisions that end one —
# 撤销 (行政许可法 第69条) and 撤回 (第8条). 不予行政许可 grants nothing and has no row.
LICENCE_KINDS = (
    DecisionKind.LICENCE_GRANT,
    DecisionKind.LICENCE_ANNULMENT,
    DecisionKind.LICENCE_WITHDRAWAL,
)
VALID, INVALID = "有效", "无效"  # 当前状态 (the template's codes 1 and 2)
CATEGORY_LABELS = {"penalty": "行政处罚", "licence": "行政许可", "other": "其他行政行为"}
# 处罚有效期 is required by the template; "2099-12-31" is its agreed value for 长期 (a decision
# with no end of its own, such as a fine or a warning).
INDEFINITE = "2099-12-31"
FINE, CONFISCATION = "fine", "confiscation"


def _draft(item: Publication) -> Any:
    """The decision draft (its kind, amounts and legal basis), or None for a case without one."""
    try:
        return item.case.draft
    except DecisionDraft.DoesNotExist:
        return None


def _party_fields(item: Publication) -> dict[str, str]:
    parties = sorted(item.case.parties.all(), key=lambda p: p.pk)  # prefetched by the callers
    case_party = parties[0] if parties else None
    natural = item.party_is_natural
    return {
        "party_name": item.party,
        "party_category": "自然人" if natural else "法人及非法人组织",
        # An identity number is never pushed: a natural person has no code here.
        "party_credit_code": "" if natural or case_party is None else case_party.credit_code,
        "legal_representative": ""
        if natural or case_party is None
        else case_party.legal_representative,
    }


def _ten_thousands(amount: Decimal | None) -> str:
    """Yuan as 万元 without float: 5000.00 → "0.5"; none or zero → ""."""
    if not amount:
        return ""
    return f"{amount / Decimal(10000):.6f}".rstrip("0").rstrip(".")


def _penalty_types(draft: Any) -> str:
    """处罚类别: the decision's kind, with 罚款 and 没收 added when the draft carries their
    amounts beside another kind (e.g. 警告 and a confiscation); ";" between several."""
    if draft is None:
        return ""
    kinds = [draft.kind]
    if draft.fine_amount and FINE not in kinds:
        kinds.append(FINE)
    if draft.confiscation_value and CONFISCATION not in kinds:
        kinds.append(CONFISCATION)
    return ";".join(str(DecisionKind(k).label) if k in DecisionKind.values else k for k in kinds)


def credit_row(item: Publication) -> dict[str, str]:
    """One decision in the credit platforms' fields (strings, as their templates take them).
    Published (masked) text only."""
    agency = item.agency.enforcement_body()
    draft = _draft(item)
    return {
        **_party_fields(item),
        "doc_number": item.doc_number,
        "violation_type": item.matter_name,
        "facts": item.masked_text[:2000],
        "basis": (draft.legal_basis.strip() if draft else "")[:2000],
        "penalty_types": _penalty_types(draft),
        "content": item.outcome,
        "fine_10k": _ten_thousands(draft.fine_amount if draft else None),
        "confiscation_10k": _ten_thousands(draft.confiscation_value if draft else None),
        # The draft records no licence name or number yet (cases.DecisionDraft): left empty.
        "licence": "",
        "decided_on": item.decided_on.isoformat(),
        "penalty_valid_until": INDEFINITE,
        "publicity_until": item.ends_on.isoformat() if item.ends_on else "",
        "agency_name": item.agency_name,
        "agency_credit_code": agency.credit_code,
        "source_name": agency.name,
        "source_credit_code": agency.credit_code,
        "url": settings.PUBLIC_BASE_URL + reverse("portal:decision", args=[item.pk]),
        "note": "已撤回：" + item.withdrawal_reason if item.status == "withdrawn" else "",
        "decision_category": CATEGORY_LABELS.get(item.category, item.category),
    }


def _licence_terms(item: Publication) -> dict[str, str] | None:
    """The decided terms: as ``exports.licences_in`` fetched them for every row, else read."""
    if hasattr(item, "licence_terms"):
        terms: dict[str, str] | None = item.licence_terms
        return terms
    return decided_terms(item.case)


def _masked_content(item: Publication, content: str) -> str:
    """许可内容 as published: masked like the decision text (a natural person is not named)."""
    people = [p.name for p in item.case.parties.all() if p.kind == "natural"]
    return mask_text(content, names=people)


def licence_row(item: Publication) -> dict[str, str]:
    """One licence decision in the 行政许可 双公示 fields (strings). Published (masked) text.

    许可类别, 许可证书名称, 许可编号 and the term come from the licence's terms as decided
    (``licensing``: the decided snapshot's section); a grant decided without them (before
    terms were recorded) leaves the first three empty and runs from its decision date to
    ``INDEFINITE`` (长期), as does a grant whose terms say 长期. A withdrawn publication (the
    decision changed or revoked) is 无效 from its date. A 撤销/撤回 decision is its own row, 无效
    from its date, named in 备注."""
    agency = item.agency.enforcement_body()
    draft = _draft(item)
    kind = draft.kind if draft is not None else ""
    day = item.decided_on.isoformat()
    withdrawn = item.status == "withdrawn"
    note = ""
    if kind == DecisionKind.LICENCE_ANNULMENT:
        note = "撤销行政许可（行政许可法第六十九条）"
    elif kind == DecisionKind.LICENCE_WITHDRAWAL:
        note = "撤回行政许可（行政许可法第八条）"
    if withdrawn:
        note = "；".join(n for n in (note, "公示已撤回：" + item.withdrawal_reason) if n)
    grant = kind == DecisionKind.LICENCE_GRANT
    terms = _licence_terms(item) if grant else None
    valid = grant and not withdrawn
    until = (terms.get("valid_until") or INDEFINITE) if terms else INDEFINITE
    return {
        **_party_fields(item),
        "doc_title": f"{DecisionKind(kind).label}决定书" if kind in DecisionKind.values else "",
        "doc_number": item.doc_number,
        "licence_category": category_label(terms["category"]) if terms else "",
        "certificate_name": terms["certificate_name"] if terms else "",
        "licence_number": terms["licence_number"] if terms else "",
        "content": _masked_content(item, terms["content"]) if terms else item.outcome,
        "decided_on": day,
        "valid_from": terms["valid_from"] if terms else day,
        "valid_until": until if valid else day,
        "agency_name": item.agency_name,
        "agency_credit_code": agency.credit_code,
        "current_status": VALID if valid else INVALID,
        "source_name": agency.name,
        "source_credit_code": agency.credit_code,
        "url": settings.PUBLIC_BASE_URL + reverse("portal:decision", args=[item.pk]),
        "note": note,
    }


def decision_data(item: Publication) -> dict[str, Any]:
    """``decision.made``: the decision as queued for publication (the provincial platform's
    statistics count decisions made, published or not)."""
    agency = item.agency.enforcement_body()
    return {
        "publication_id": item.pk,
        "case_id": item.case_id,
        "doc_number": item.doc_number,
        "category": item.category,
        "procedure": item.procedure,
        "matter": item.matter_name,
        "outcome": item.outcome,
        "amount": f"{item.amount:.2f}" if item.amount is not None else None,
        "decided_on": item.decided_on.isoformat(),
        "publication_due_on": item.due_on.isoformat() if item.due_on else None,
        "publication_status": item.status,
        "agency": {"id": agency.pk, "name": agency.name, "credit_code": agency.credit_code},
    }


def licence_credit(item: Publication) -> dict[str, str] | None:
    """The 行政许可 双公示 fields of a grant, 撤销 or 撤回; None for any other decision."""
    if item.category != "licence":
        return None
    draft = _draft(item)
    if draft is None or draft.kind not in LICENCE_KINDS:
        return None
    return licence_row(item)


def published_data(item: Publication) -> dict[str, Any]:
    return {
        "publication_id": item.pk,
        "published_at": timezone.localtime(item.published_at).isoformat()
        if item.published_at
        else None,
        "content_sha256": item.content_sha256,
        "credit": credit_row(item),
        "licence_credit": licence_credit(item),
    }


def withdrawn_data(item: Publication) -> dict[str, Any]:
    return {
        "publication_id": item.pk,
        "doc_number": item.doc_number,
        "withdrawn_at": timezone.localtime(item.withdrawn_at).isoformat()
        if item.withdrawn_at
        else None,
        "withdrawal_kind": item.withdrawal_kind,
        "withdrawal_reason": item.withdrawal_reason,
        "revoked_on": item.revoked_on.isoformat() if item.revoked_on else None,
    }


def report_data(report: AnnualReport) -> dict[str, Any]:
    from sanxiang.disclosure.report import tables_for

    tables = tables_for(agency_id=report.agency_id, year=report.year)
    agency = report.agency
    return {
        "agency": {"id": agency.pk, "name": agency.name, "credit_code": agency.credit_code},
        "year": report.year,
        "published_at": timezone.localtime(report.published_at).isoformat()
        if report.published_at
        else None,
        "narrative": report.narrative,
        "tables": tables.as_payload(),
        "url": settings.PUBLIC_BASE_URL
        + reverse("portal:report", args=[report.agency_id, report.year]),
    }


# --- 双随机、一公开 ---------------------------------------------------------------------------

TARGET_CATEGORY = {"organisation": "法人及非法人组织", "natural": "自然人"}


def inspection_data(assignment: Assignment) -> dict[str, Any]:
    """``inspection_result.published``: one 抽查结果 as the portal publishes it (一公开).

    The text is the portal's (inspections.queries.public_results): a natural person appears as
    张某 and has no code (the ID number of the 名录库 is never pushed); the findings are masked
    by lib.masking with the target's and the legal representative's names."""
    plan = assignment.plan
    target = assignment.target
    natural = target.kind == TargetKind.NATURAL
    names = [n for n in (target.legal_representative,) if n]
    if natural:
        names.append(target.name)
    day = assignment.inspected_on or timezone.localdate()
    versions = (
        MatterVersion.objects.filter(in_force_on(day), matter__in=plan.matters.all())
        .select_related("matter")
        .order_by("matter__code")
    )
    agency = target.agency.enforcement_body()  # the publishing one, also in a 联合抽查
    rectify = assignment.outcome == Outcome.RECTIFY
    return {
        "assignment_id": assignment.pk,
        "plan": {
            "id": plan.pk,
            "number": plan.number,
            "title": plan.title,
            "year": plan.year,
            "period_start": plan.period_start.isoformat(),
            "period_end": plan.period_end.isoformat(),
        },
        "matters": [{"code": v.matter.code, "name": v.name} for v in versions],
        "target": {
            "name": masked_name(target.name) if natural else target.name,
            "category": TARGET_CATEGORY.get(target.kind, target.kind),
            # 统一社会信用代码 for an organisation only: a person's ID number is never pushed.
            "credit_code": "" if natural else target.credit_code,
            "area": target.area,
            "kind_of_target": target.get_category_display(),
        },
        "draw_round": assignment.draw.round,
        "position": assignment.position,
        "key_inspection": assignment.stratum.startswith("key:"),
        "outcome": assignment.outcome,
        "outcome_label": str(Outcome(assignment.outcome).label),
        "findings": mask_text(assignment.findings, names=names)[:2000],
        "inspected_on": assignment.inspected_on.isoformat() if assignment.inspected_on else None,
        "rectify_by": assignment.rectify_by.isoformat()
        if rectify and assignment.rectify_by
        else None,
        "referred_to": assignment.referred_to,
        "published_at": timezone.localtime(assignment.published_at).isoformat()
        if assignment.published_at
        else None,
        "agency": {"id": agency.pk, "name": agency.name, "credit_code": agency.credit_code},
        "url": settings.PUBLIC_BASE_URL + reverse("choucha:plan", args=[plan.pk]),
    }
