"""The case data a document is filled from, as plain values (``CaseSheet``).

Builders and renderers read only this, never the ORM, so a template can be rendered (and
benchmarked) for a demo-like case without a database, and ``cases`` may grow fields freely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class AgentSheet:
    """A 委托代理人 acting for a party when the document is made."""

    name: str
    relation: str = ""
    authority: str = ""  # 一般代理, or 特别授权（…the listed powers…）
    phone: str = ""


# What the person acting for a body is called, per party kind (cases.models).
REPRESENTATIVE_LABELS = {
    "organisation": "法定代表人",
    "other_organisation": "负责人",
    "individual_business": "经营者",
}


@dataclass(frozen=True)
class PartySheet:
    kind: str  # natural | organisation (法人) | individual_business | other_organisation
    name: str
    id_number: str = ""  # a person's, or a 个体工商户's 经营者's
    credit_code: str = ""
    legal_representative: str = ""  # 法定代表人 / 负责人 / 经营者
    address: str = ""
    phone: str = ""
    is_minor: bool = False
    agents: tuple[AgentSheet, ...] = ()

    @property
    def is_natural(self) -> bool:
        return self.kind == "natural"

    @property
    def is_business(self) -> bool:
        return self.kind == "individual_business"

    @property
    def representative_label(self) -> str:
        return REPRESENTATIVE_LABELS.get(self.kind, "法定代表人（负责人）")

    @property
    def id_label(self) -> str:
        return "身份证号码" if self.is_natural else "统一社会信用代码"

    @property
    def id_value(self) -> str:
        return self.id_number if self.is_natural else self.credit_code


@dataclass(frozen=True)
class OfficerSheet:
    name: str
    certificate_no: str


@dataclass(frozen=True)
class DraftSheet:
    kind: str
    kind_label: str
    fine_amount: Decimal | None = None
    confiscation_value: Decimal | None = None
    legal_basis: str = ""
    violated_provision: str = ""
    circumstance_label: str = ""
    benchmark_min: Decimal | None = None
    benchmark_max: Decimal | None = None
    outside_benchmark: bool = False
    outside_reason: str = ""
    text: str = ""
    # With 并处 (行政处罚法 第9条): every penalty imposed, ``kind`` among them, as (code, label)
    # in the statute's order; empty when ``kind`` is the only one.
    penalties: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Earlier:
    """A document issued earlier in the case, cited by later ones."""

    title: str
    number: str
    issued_on: date


@dataclass(frozen=True)
class CaseSheet:
    agency_name: str
    agency_short: str
    agency_address: str
    agency_phone: str
    review_body: str  # 行政复议机关: the government the agency belongs to (行政复议法 第24条)
    case_number: str
    case_title: str
    matter_name: str
    matter_basis: str
    source_label: str
    facts: str
    opened_on: date
    decided_on: date | None
    parties: tuple[PartySheet, ...]
    officers: tuple[OfficerSheet, ...]
    draft: DraftSheet | None = None
    earlier: dict[str, Earlier] = field(default_factory=dict)  # by kind code
    payment_instructions: str = ""  # the agency's 罚款缴纳方式 (行政处罚法 第59条(四))
    # Text another app supplies for a kind (``queries.register_sheet_text``), e.g. the items of
    # an online 补正 for the 补正告知书; by kind code.
    provided: dict[str, str] = field(default_factory=dict)

    @property
    def case_name(self) -> str:
        """The case's name for "…一案": its title without a trailing 案 ("…提供条件案一案")."""
        title = self.case_title.strip()
        return title[:-1] if title.endswith("案") and len(title) > 1 else title

    @property
    def party_names(self) -> str:
        return "、".join(p.name for p in self.parties) or "（当事人）"
