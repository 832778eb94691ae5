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
from django.db.models import CharField, Count, DecimalField, Exists, OuterRef, Q, Sum, Value, When
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
        default=Value("none"),
        output_field=CharField(),
    )


def penalty_table(agency_id: int, year: int) -> Table:
    rows = (
        _cases()
        .filter(_year(year), agency_id=agency_id, procedure__in=PENALTY_PROCEDURES)
        .annotate(heaviest=heaviest_type())
        .values("heaviest")
        .annotate(
            n=Count("id"),
            money=Sum(
                Coalesce("draft__fine_amount", ZERO, output_field=MONEY)
                + Coalesce("draft__confiscation_value", ZERO, output_field=MONEY),
                output_field=MONEY,
            ),
        )
    )
    found = {r["heaviest"]: r for r in rows}
    body = [[label, found.get(code, {}).get("n", 0)] for code, label in PENALTY_ORDER]
    total = sum(r["n"] for code, r in found.items() if code != "none")
    money = sum((r["money"] or ZERO for r in found.values()), ZERO)
    body.append(["合计（件）", total])
    body.append(["不予行政处罚（件）", found.get("none", {}).get("n", 0)])
    body.append(["罚没金额（元）", f"{money:.2f}"])
    return Table("penalty", "行政处罚", ["处罚种类（按最重处罚计）", "件数"], body)


def licence_table(agency_id: int, year: int) -> Table:
    from sanxiang.cases.models import CaseEvent

    accepted = CaseEvent.objects.filter(case_id=OuterRef("pk"), target="acceptance")
    cases = _cases().filter(agency_id=agency_id, procedure="licence")
    opened = cases.filter(opened_on__year=year)
    counts = cases.filter(_year(year)).aggregate(
        granted=Count("id", filter=Q(draft__kind="licence_grant")),
        refused=Count("id", filter=Q(draft__kind="licence_refusal")),
        withdrawn=Count("id", filter=Q(draft__kind="licence_withdrawal")),
    )
    rows = [
        ["申请（件）", opened.count()],
        ["受理（件）", opened.filter(Exists(accepted)).count()],
        ["准予许可（件）", counts["granted"]],
        ["不予许可（件）", counts["refused"]],
        ["撤销、撤回许可（件）", counts["withdrawn"]],
    ]
    return Table("licence", "行政许可", ["项目", "数量"], rows)


def coercion_table(agency_id: int, year: int) -> Table:
    """行政强制法 第9条 (measures) and 第12条 (enforcement); the draft records 查封扣押 only."""
    counts = (
        _cases()
        .filter(_year(year), agency_id=agency_id, procedure="coercion")
        .aggregate(
            seizure=Count("id", filter=Q(draft__kind="seizure")),
            other=Count("id", filter=~Q(draft__kind="seizure")),
        )
    )
    rows = [
        ["行政强制措施：查封场所、设施或者财物；扣押财物", counts["seizure"]],
        ["行政强制措施：其他", counts["other"]],
        ["行政强制执行（加处罚款、划拨、拍卖、代履行等）", 0],
        ["合计（件）", counts["seizure"] + counts["other"]],
    ]
    return Table("coercion", "行政强制", ["类别", "件数"], rows)


def _category_count(agency_id: int, year: int, category: str) -> int:
    of_category = MatterVersion.objects.filter(matter_id=OuterRef("matter_id"), category=category)
    return _cases().filter(_year(year), Exists(of_category), agency_id=agency_id).count()


def inspection_table(agency_id: int, year: int) -> Table:
    cases = _cases().filter(agency_id=agency_id, procedure="inspection", opened_on__year=year)
    counts = cases.aggregate(n=Count("id"), done=Count("id", filter=Q(closed_on__isnull=False)))
    rows = [["检查（次）", counts["n"]], ["已办结（次）", counts["done"]]]
    return Table("inspection", "行政检查", ["项目", "数量"], rows)


def tables_for(*, agency_id: int, year: int) -> Tables:
    levy = _category_count(agency_id, year, "levy")
    requisition = _category_count(agency_id, year, "requisition")
    return Tables(
        agency_id=agency_id,
        year=year,
        tables=[
            licence_table(agency_id, year),
            penalty_table(agency_id, year),
            coercion_table(agency_id, year),
            Table("levy", "行政征收", ["项目", "件数"], [["征收决定（件）", levy]]),
            Table("requisition", "行政征用", ["项目", "件数"], [["征用决定（件）", requisition]]),
            inspection_table(agency_id, year),
        ],
    )
