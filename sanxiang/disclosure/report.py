"""年报: the six tables of DOMAIN.md (许可、处罚、强制、征收、征用、检查) for one agency and year.

Counting rules (DOMAIN.md, "Annual report"): a case counts in the year of its decision; a case
with several penalties counts once, under its heaviest type in the legal order of severity of
行政处罚法 第9条; money (罚没金额) is taken from the decision draft's amounts. Each table is one
aggregate query, so the cost does not grow with the number of rows returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import CharField, Count, DecimalField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from sanxiang.catalog.models import MatterVersion

# 行政处罚法 第9条, lightest first (行政拘留 is not ours). 暂扣 and 吊销 share one code in the
# decision draft; it ranks above 降低资质等级 because 吊销 is the heavier of the pair.
PENALTY_ORDER = [
    ("warning", "警告、通报批评"),
    ("fine", "罚款"),
    ("confiscation", "没收违法所得、没收非法财物"),
    ("qualification_lowering", "降低资质等级"),
    ("licence_revocation", "暂扣或者吊销许可证件"),
    ("suspension", "限制生产经营、责令停产停业、责令关闭、限制从业"),
]
PENALTY_PROCEDURES = ("penalty_ordinary", "penalty_summary")
ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]

    def as_payload(self) -> dict[str, Any]:
        return {"title": self.title, "columns": self.columns, "rows": self.rows}


@dataclass(frozen=True)
class Tables:
    agency_id: int
    year: int
    tables: list[Table]

    def as_payload(self) -> dict[str, Any]:
        return {t.key: t.as_payload() for t in self.tables}

    def by_key(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def _cases() -> Any:
    from sanxiang.cases.models import Case  # cases is below disclosure; imported lazily for bench

    return Case.objects


def _year(year: int) -> Q:
    return Q(decided_on__gte=date(year, 1, 1), decided_on__lte=date(year, 12, 31))


def heaviest_type() -> SqlCase:
    """The heaviest penalty of a case, from the draft's kind and its amounts (one SQL CASE)."""
    fine = Q(draft__kind="fine") | Q(draft__fine_amount__gt=0)
    confiscation = Q(draft__kind="confiscation") | Q(draft__confiscation_value__gt=0)
    return SqlCase(
        When(draft__kind="suspension", then=Value("suspension")),
        When(draft__kind="licence_revocation", then=Value("licence_revocation")),
        When(draft__kind="qualification_lowering", then=Value("qualification_lowering")),
        When(confiscation, then=Value("confiscation")),
        When(fine, then=Value("fine")),
        When(draft__kind="warning", then=Value("warning")),
        When(draft__kind="no_penalty", then=Value("none")),
        # A draft of kind "other" (or none yet) is not a decision not to punish.
        default=Value("other"),
        output_field=CharField(),
    )


def _decided_counts(agency_id: int, year: int) -> dict[str, Any]:
    """One grouped pass over the cases decided in ``year`` (the CASE runs once per row); the
    few groups (procedure × draft kind × heaviest penalty) are summed up in Python."""
    groups = (
        _cases()
        .filter(_year(year), agency_id=agency_id)
        .annotate(heaviest=heaviest_type())
        .values("procedure", "draft__kind", "heaviest")
        .annotate(
            n=Count("id"),
            money=Sum(
                Coalesce("draft__fine_amount", ZERO, output_field=MONEY)
                + Coalesce("draft__confiscation_value", ZERO, output_field=MONEY),
                output_field=MONEY,
            ),
        )
    )
    d: dict[str, Any] = {f"p_{code}": 0 for code, _ in PENALTY_ORDER}
    d |= {"p_none": 0, "p_other": 0, "p_money": ZERO, "licence_grant": 0, "licence_refusal": 0}
    d |= {"licence_withdrawal": 0, "seizure": 0, "coercion": 0}
    for g in groups:
        if g["procedure"] in PENALTY_PROCEDURES:
            d[f"p_{g['heaviest']}"] += g["n"]
            d["p_money"] += g["money"] or ZERO
        elif g["procedure"] == "licence" and g["draft__kind"] in d:
            d[g["draft__kind"]] += g["n"]
        elif g["procedure"] == "coercion":
            d["coercion"] += g["n"]
            d["seizure"] += g["n"] if g["draft__kind"] == "seizure" else 0
    return d


def _opened_counts(agency_id: int, year: int) -> dict[str, Any]:
    """Applications, acceptances and inspections of cases opened in ``year``."""
    from sanxiang.cases.history import cases_that_entered  # lazily, as _cases

    opened = Q(opened_on__gte=date(year, 1, 1), opened_on__lte=date(year, 12, 31))
    counts = (
        _cases()
        .filter(opened, agency_id=agency_id, procedure__in=["licence", "inspection"])
        .aggregate(
            applied=Count("id", filter=Q(procedure="licence")),
            inspections=Count("id", filter=Q(procedure="inspection")),
            inspections_done=Count("id", filter=Q(procedure="inspection", closed_on__isnull=False)),
        )
    )
    # 受理: the ledger records the application entering 受理 (the entry is the legal fact).
    licences = _cases().filter(opened, agency_id=agency_id, procedure="licence")
    counts["accepted"] = len(cases_that_entered(licences, "acceptance"))
    return counts


def penalty_table(d: dict[str, Any]) -> Table:
    body: list[list[Any]] = [[label, d[f"p_{code}"]] for code, label in PENALTY_ORDER]
    body.append(["合计（件）", sum(d[f"p_{code}"] for code, _ in PENALTY_ORDER)])
    body.append(["不予行政处罚（件）", d["p_none"]])
    body.append(["其他处理决定（件，不计入上列）", d["p_other"]])
    body.append(["罚没金额（元）", f"{d['p_money'] or ZERO:.2f}"])
    return Table("penalty", "行政处罚", ["处罚种类（按最重处罚计）", "件数"], body)


def licence_table(d: dict[str, Any], o: dict[str, Any]) -> Table:
    rows: list[list[Any]] = [
        ["申请（件）", o["applied"]],
        ["受理（件）", o["accepted"]],
        ["准予许可（件）", d["licence_grant"]],
        ["不予许可（件）", d["licence_refusal"]],
        ["撤销、撤回许可（件）", d["licence_withdrawal"]],
    ]
    return Table("licence", "行政许可", ["项目", "数量"], rows)


def coercion_table(d: dict[str, Any]) -> Table:
    """行政强制法 第9条 (measures) and 第12条 (enforcement); the draft records 查封扣押 only."""
    rows: list[list[Any]] = [
        ["行政强制措施：查封场所、设施或者财物；扣押财物", d["seizure"]],
        ["行政强制措施：其他", d["coercion"] - d["seizure"]],
        ["行政强制执行（加处罚款、划拨、拍卖、代履行等）", 0],
        ["合计（件）", d["coercion"]],
    ]
    return Table("coercion", "行政强制", ["类别", "件数"], rows)


def _category_count(agency_id: int, year: int, category: str) -> int:
    """Decisions in matters of ``category`` (征收/征用): few matters, so look them up first."""
    matters = list(
        MatterVersion.objects.filter(category=category, matter__agency_id=agency_id)
        .order_by()
        .values_list("matter_id", flat=True)
        .distinct()
    )
    if not matters:
        return 0
    return _cases().filter(_year(year), agency_id=agency_id, matter_id__in=matters).count()


def tables_for(*, agency_id: int, year: int) -> Tables:
    decided = _decided_counts(agency_id, year)
    opened = _opened_counts(agency_id, year)
    levy = _category_count(agency_id, year, "levy")
    requisition = _category_count(agency_id, year, "requisition")
    inspections = [
        ["检查（次）", opened["inspections"]],
        ["已办结（次）", opened["inspections_done"]],
    ]
    return Tables(
        agency_id=agency_id,
        year=year,
        tables=[
            licence_table(decided, opened),
            penalty_table(decided),
            coercion_table(decided),
            Table("levy", "行政征收", ["项目", "件数"], [["征收决定（件）", levy]]),
            Table("requisition", "行政征用", ["项目", "件数"], [["征用决定（件）", requisition]]),
            Table("inspection", "行政检查", ["项目", "数量"], inspections),
        ],
    )
