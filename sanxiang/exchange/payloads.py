"""What the outbox pushes, and the 双公示 rows for the credit platforms.

The 行政处罚/行政许可 双公示 fields follow the data items the credit platforms ask for (国家
发展改革委办公厅关于进一步规范"信用中国"网站和地方信用门户网站行政处罚信息公示工作的通知, 发改办财金
〔2017〕1171号, and the 行政许可/行政处罚信息 双公示 数据标准). Everything here is the *published*
(masked) text: an identity number of a natural person is never pushed (DOMAIN.md, "Mask").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from sanxiang.disclosure.models import AnnualReport, Publication

# (key in the JSON, column header the credit platforms use)
CREDIT_FIELDS: list[tuple[str, str]] = [
    ("party_name", "行政相对人名称"),
    ("party_category", "行政相对人类别"),
    ("party_credit_code", "行政相对人代码_1(统一社会信用代码)"),
    ("legal_representative", "法定代表人"),
    ("doc_number", "行政处罚决定书文号"),
    ("matter", "违法行为类型"),
    ("basis_and_facts", "违法事实"),
    ("category", "处罚类别"),
    ("content", "处罚内容"),
    ("amount_10k", "罚款金额(万元)"),
    ("decided_on", "处罚决定日期"),
    ("valid_until", "公示截止期"),
    ("agency_name", "处罚机关"),
    ("agency_credit_code", "处罚机关统一社会信用代码"),
    ("source_name", "数据来源单位"),
    ("source_credit_code", "数据来源单位统一社会信用代码"),
    ("url", "公示网址"),
    ("note", "备注"),
]
CATEGORY_LABELS = {"penalty": "行政处罚", "licence": "行政许可", "other": "其他行政行为"}


def _party_fields(item: Publication) -> dict[str, str]:
    case_party = item.case.parties.order_by("pk").first()
    natural = item.party_is_natural
    return {
        "party_name": item.party,
        "party_category": "自然人" if natural else "法人及非法人组织",
        "party_credit_code": "" if natural or case_party is None else case_party.credit_code,
        "legal_representative": ""
        if natural or case_party is None
        else case_party.legal_representative,
    }


def credit_row(item: Publication) -> dict[str, str]:
    """One decision in the credit platforms' fields (strings, as their templates take them)."""
    agency = item.agency.enforcement_body()
    amount = f"{item.amount / 10000:.6f}".rstrip("0").rstrip(".") if item.amount else ""
    return {
        **_party_fields(item),
        "doc_number": item.doc_number,
        "matter": item.matter_name,
        "basis_and_facts": item.masked_text[:2000],
        "category": CATEGORY_LABELS.get(item.category, item.category),
        "content": item.outcome,
        "amount_10k": amount,
        "decided_on": item.decided_on.isoformat(),
        "valid_until": item.ends_on.isoformat() if item.ends_on else "",
        "agency_name": item.agency_name,
        "agency_credit_code": agency.credit_code,
        "source_name": agency.name,
        "source_credit_code": agency.credit_code,
        "url": settings.PUBLIC_BASE_URL + reverse("portal:decision", args=[item.pk]),
        "note": "已撤回：" + item.withdrawal_reason if item.status == "withdrawn" else "",
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


def published_data(item: Publication) -> dict[str, Any]:
    return {
        "publication_id": item.pk,
        "published_at": timezone.localtime(item.published_at).isoformat()
        if item.published_at
        else None,
        "content_sha256": item.content_sha256,
        "credit": credit_row(item),
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
