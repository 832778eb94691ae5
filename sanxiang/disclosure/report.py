"""年报: the national pattern's tables for one agency and year.

Tables: 许可、处罚、强制、征收、征用、检查 (DOMAIN.md, "Annual report"), then 执法监督 (听证、
法制审核、移送司法、复议、诉讼、人员与持证率、公示及时率). Counting rules:

- a case counts in the year of its decision; applications, acceptances and inspections in the
  year they were opened;
- 处罚 by every kind of 行政处罚法 第9条 apart (警告 and 通报批评, 暂扣 and 吊销 …). A case with
  several kinds (the draft's kind, its 并处 kinds, and a fine or confiscation by amount) counts
  once, under its heaviest: the last of them in the statute's order (``PENALTY_KINDS``);
  split into 简易程序 and 普通（一般）程序; 罚没金额 (a ``Decimal``) from the decision drafts;
- 强制: 查封、扣押、冻结 apart (行政强制法 第9条), with 强制执行 by the agency (第12条) and
  申请人民法院强制执行 (第53条) from the facts staff enter (``report_facts``);
- a draft of kind "other" (or none) is never counted as 不予行政处罚.

Each table is a fixed number of aggregate queries, whatever the number of cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import CharField, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate

from sanxiang.cases.models import PENALTY_KINDS, DecisionKind
from sanxiang.catalog.models import MatterVersion
from sanxiang.procedures.definitions import StageRole

from .models import FactKind, FactOutcome, Publication, ReportFact

# 行政处罚法 第9条 in the statute's order (lightest first), each kind apart.
PENALTY_ORDER = [(str(k.value), str(k.label)) for k in PENALTY_KINDS]
PENALTY_PROCEDURES = ("penalty_ordinary", "penalty_summary")
COERCION_MEASURES = [
    (DecisionKind.SEAL.value, "查封场所、设施或者财物"),
    (DecisionKind.DETAIN.value, "扣押财物"),
    (DecisionKind.FREEZE.value, "冻结存款、汇款"),
]
ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]

    def as_payload(self) -> dict[str, Any]:
        """JSON-ready: money and rates as exact decimal strings ("11600.00"), as the ledger's
        canonical JSON writes a Decimal; counts stay numbers."""
        rows = [[str(c) if isinstance(c, Decimal) else c for c in row] for row in self.rows]
        return {"title": self.title, "columns": self.columns, "rows": rows}


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


def _span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _year(year: int) -> Q:
    first, last = _span(year)
    return Q(decided_on__gte=first, decided_on__lte=last)


def _has(kind: str) -> Q:
    """The draft imposes ``kind``: as its kind or among its 并处 kinds (",a,b,")."""
    return Q(draft__kind=kind) | Q(draft__penalty_kinds__contains=f",{kind},")


def heaviest_type() -> SqlCase:
    """The heaviest penalty of a case (one SQL CASE): the last kind it imposes in the order
    of 第9条; a fine or a confiscation also counts by its amount."""
    implied = {
        "fine": Q(draft__fine_amount__gt=0),
        "confiscation": Q(draft__confiscation_value__gt=0),
    }
    whens = [
        When(_has(code) | implied.get(code, Q(pk__in=[])), then=Value(code))
        for code, _ in reversed(PENALTY_ORDER)
    ]
    return SqlCase(
        *whens,
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
        .order_by()
    )
    d: dict[str, Any] = {"p_money": ZERO, "coercion": 0}
    for code, _ in [*PENALTY_ORDER, ("none", ""), ("other", "")]:
        d[f"p_{code}"] = d[f"s_{code}"] = 0
    for g in groups:
        kind, n = g["draft__kind"], g["n"]
        if g["procedure"] in PENALTY_PROCEDURES:
            d[f"p_{g['heaviest']}"] += n
            if g["procedure"] == "penalty_summary":
                d[f"s_{g['heaviest']}"] += n
            d["p_money"] += g["money"] or ZERO
        elif g["procedure"] == "licence":
            d[kind] = d.get(kind, 0) + n
        elif g["procedure"] == "coercion":
            d["coercion"] += n
            d[f"c_{kind}"] = d.get(f"c_{kind}", 0) + n
    return d


def _opened_counts(agency_id: int, year: int) -> dict[str, Any]:
    """Applications, acceptances and inspections of cases opened in ``year``."""
    from sanxiang.cases.history import cases_that_entered  # lazily, as _cases

    first, last = _span(year)
    opened = Q(opened_on__gte=first, opened_on__lte=last)
    random_matters = MatterVersion.objects.filter(random_inspection=True).values("matter_id")
    counts = (
        _cases()
        .filter(opened, agency_id=agency_id)
        .aggregate(
            applied=Count("id", filter=Q(procedure="licence")),
            inspections=Count("id", filter=Q(procedure="inspection")),
            inspections_done=Count("id", filter=Q(procedure="inspection", closed_on__isnull=False)),
            random=Count("id", filter=Q(procedure="inspection", matter_id__in=random_matters)),
            # Problems found: penalty cases opened from an inspection (案件来源：检查发现).
            found=Count("id", filter=Q(procedure__in=PENALTY_PROCEDURES, source="inspection")),
        )
    )
    # 受理: the ledger records the application entering 受理 (the entry is the legal fact).
    licences = _cases().filter(opened, agency_id=agency_id, procedure="licence")
    counts["accepted"] = len(cases_that_entered(licences, StageRole.ACCEPTANCE))
    return counts


def _facts(agency_id: int, year: int) -> dict[tuple[str, str], int]:
    """Staff-entered facts of the year (复议、诉讼 by outcome, 强制执行, 移送, 整改)."""
    first, last = _span(year)
    rows = (
        ReportFact.objects.filter(
            agency_id=agency_id, occurred_on__gte=first, occurred_on__lte=last
        )
        .values("kind", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["kind"], r["outcome"]): r["n"] for r in rows}


def _count(facts: dict[tuple[str, str], int], kind: str) -> int:
    return sum(n for (k, _), n in facts.items() if k == kind)


def penalty_table(d: dict[str, Any]) -> Table:
    def row(label: str, code: str) -> list[Any]:
        total, summary = d[f"p_{code}"], d[f"s_{code}"]
        return [label, total, summary, total - summary]

    body = [row(label, code) for code, label in PENALTY_ORDER]
    total = sum(d[f"p_{code}"] for code, _ in PENALTY_ORDER)
    summary = sum(d[f"s_{code}"] for code, _ in PENALTY_ORDER)
    body.append(["合计（件）", total, summary, total - summary])
    body.append(row("不予行政处罚（件）", "none"))
    body.append(row("其他处理决定（件，不计入上列）", "other"))
    body.append(["罚没金额（元）", d["p_money"] or ZERO, "", ""])
    columns = ["处罚种类（按最重处罚计，件）", "合计", "简易程序", "普通程序"]
    return Table("penalty", "行政处罚", columns, body)


def licence_table(d: dict[str, Any], o: dict[str, Any]) -> Table:
    rows: list[list[Any]] = [
        ["申请（件）", o["applied"]],
        ["受理（件）", o["accepted"]],
        ["准予许可（件）", d.get("licence_grant", 0)],
        ["不予许可（件）", d.get("licence_refusal", 0)],
        ["撤销许可（件）", d.get("licence_annulment", 0)],
        ["撤回许可（件）", d.get("licence_withdrawal", 0)],
    ]
    return Table("licence", "行政许可", ["项目", "数量"], rows)


def coercion_table(d: dict[str, Any], facts: dict[tuple[str, str], int]) -> Table:
    """行政强制法 第9条 (measures, apart) and 第12条/第53条 (enforcement)."""
    measures = [
        [f"行政强制措施：{label}", d.get(f"c_{code}", 0)] for code, label in COERCION_MEASURES
    ]
    undivided = d.get("c_seizure", 0)
    if undivided:
        measures.append(["行政强制措施：查封、扣押（登记时未区分）", undivided])
    named = sum(row[1] for row in measures)
    rows: list[list[Any]] = [
        *measures,
        ["行政强制措施：其他", d["coercion"] - named],
        ["行政强制措施合计（件）", d["coercion"]],
        ["行政强制执行（本机关执行，件）", _count(facts, FactKind.ENFORCEMENT)],
        ["申请人民法院强制执行（件）", _count(facts, FactKind.COURT_ENFORCEMENT)],
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


# Rows the apps above disclosure add to the 行政检查 table (``inspections`` registers the
# 双随机、一公开 counts): ``fn(agency_id, year) -> rows``; disclosure imports none of them.
RowSource = Callable[[int, int], list[list[Any]]]
_inspection_rows: list[RowSource] = []


def register_inspection_rows(fn: RowSource) -> RowSource:
    if fn not in _inspection_rows:
        _inspection_rows.append(fn)
    return fn


def inspection_table(
    o: dict[str, Any], facts: dict[tuple[str, str], int], agency_id: int = 0, year: int = 0
) -> Table:
    rows: list[list[Any]] = [
        ["检查（次）", o["inspections"]],
        ["其中：双随机抽查（次）", o["random"]],
        ["已办结（次）", o["inspections_done"]],
        ["检查发现违法、立案查处（件）", o["found"]],
        ["责令整改（件）", _count(facts, FactKind.RECTIFICATION)],
    ]
    for source in _inspection_rows:
        rows += source(agency_id, year)
    return Table("inspection", "行政检查", ["项目", "数量"], rows)


def _percent(part: int, whole: int) -> Decimal | str:
    if not whole:
        return "—"
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _review_counts(agency_id: int, year: int) -> dict[str, int]:
    from sanxiang.review.models import ReviewRound  # review sits beside disclosure; lazily

    first, last = _span(year)
    reviewed = ReviewRound.objects.filter(
        review__agency_id=agency_id,
        reviewed_at__date__gte=first,
        reviewed_at__date__lte=last,
    )
    return reviewed.aggregate(
        cases=Count("review_id", distinct=True),
        rounds=Count("id"),
        passed=Count("id", filter=Q(status="passed")),
        returned=Count("id", filter=Q(status="failed")),
    )


def _hearings(agency_id: int, year: int) -> int:
    from sanxiang.cases.history import cases_that_entered

    decided = _cases().filter(_year(year), agency_id=agency_id, procedure="penalty_ordinary")
    return len(cases_that_entered(decided, StageRole.HEARING))


def _people(agency_id: int, year: int) -> dict[str, Any]:
    """Officers of the agency and its units at year end; 持证率 = holding a valid certificate
    on 31 December ÷ officers; reviewers against the 5% DOMAIN.md asks for."""
    from sanxiang.directory.models import Agency, Officer

    _, last = _span(year)
    scope = Agency.subtree_ids({agency_id})
    officers = list(
        Officer.objects.filter(agency_id__in=scope).only(
            "certificate_status", "certificate_issued", "certificate_expires", "is_reviewer"
        )
    )
    certified = sum(1 for o in officers if o.is_certified_on(last))
    reviewers = sum(1 for o in officers if o.is_reviewer)
    return {"officers": len(officers), "certified": certified, "reviewers": reviewers}


def _publication_timeliness(agency_id: int, year: int) -> dict[str, int]:
    first, last = _span(year)
    published = Publication.objects.filter(
        agency_id=agency_id, published_at__isnull=False
    ).annotate(day=TruncDate("published_at"))
    return published.filter(day__gte=first, day__lte=last).aggregate(
        total=Count("id"),
        on_time=Count("id", filter=Q(due_on__isnull=False) & Q(day__lte=F("due_on"))),
    )


def oversight_table(agency_id: int, year: int, facts: dict[tuple[str, str], int]) -> Table:
    review = _review_counts(agency_id, year)
    people = _people(agency_id, year)
    timely = _publication_timeliness(agency_id, year)
    rows: list[list[Any]] = [
        ["听证（件）", _hearings(agency_id, year)],
        ["法制审核：审核案件（件）", review["cases"]],
        ["法制审核：审核轮次（次）", review["rounds"]],
        ["法制审核：同意（次）", review["passed"]],
        ["法制审核：退回修改（次）", review["returned"]],
        ["移送司法机关（件）", _count(facts, FactKind.JUDICIAL_TRANSFER)],
    ]
    for kind, name in ((FactKind.RECONSIDERATION, "行政复议"), (FactKind.LITIGATION, "行政诉讼")):
        rows.append([f"{name}（件）", _count(facts, kind)])
        rows += [
            [f"{name}：{label}", facts.get((kind.value, code), 0)]
            for code, label in FactOutcome.choices
        ]
    rows += [
        ["执法人员（人）", people["officers"]],
        ["持有有效执法证件（人）", people["certified"]],
        ["持证率（%）", _percent(people["certified"], people["officers"])],
        ["法制审核人员（人）", people["reviewers"]],
        [
            "法制审核人员占执法人员比例（%，不少于5%）",
            _percent(people["reviewers"], people["officers"]),
        ],
        ["公示执法决定（件）", timely["total"]],
        ["按期公示（件）", timely["on_time"]],
        ["按期公示率（%）", _percent(timely["on_time"], timely["total"])],
    ]
    return Table("oversight", "执法监督", ["项目", "数量"], rows)


def tables_for(*, agency_id: int, year: int) -> Tables:
    decided = _decided_counts(agency_id, year)
    opened = _opened_counts(agency_id, year)
    facts = _facts(agency_id, year)
    levy = _category_count(agency_id, year, "levy")
    requisition = _category_count(agency_id, year, "requisition")
    return Tables(
        agency_id=agency_id,
        year=year,
        tables=[
            licence_table(decided, opened),
            penalty_table(decided),
            coercion_table(decided, facts),
            Table("levy", "行政征收", ["项目", "件数"], [["征收决定（件）", levy]]),
            Table("requisition", "行政征用", ["项目", "件数"], [["征用决定（件）", requisition]]),
            inspection_table(opened, facts, agency_id, year),
            oversight_table(agency_id, year, facts),
        ],
    )
