"""The case list's filters and sort, read from the URL (so a filtered list can be bookmarked,
shared and exported as it is shown).

``CaseFilter.parse(request.GET)`` never raises: bad input (an inverted date range, an amount
that is not a number, a page that is not a number) becomes a Chinese message in ``errors``
and the list shows nothing until it is corrected. ``apply`` is one queryset: every filter is a
``WHERE`` (``EXISTS`` for parties, officers and clocks), never a loop over cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from sanxiang.procedures.definitions import DEFINITIONS
from sanxiang.workbench.inbox import cn_date

from .models import Case, CaseMember, Deadline, DeadlineStatus, Party

# Sort keys people may choose (the column headers); anything else is the default.
SORTS = {
    "opened": ("opened_on", "pk"),
    "decided": ("decided_on", "pk"),
    "number": ("number", "pk"),
    "amount": ("amount", "pk"),
    "due": ("next_due", "pk"),
}
NULLABLE_SORTS = {"decided", "amount", "due"}
DEFAULT_SORT = "-opened"
# What a 统一社会信用代码 (GB 32100) or 居民身份证号码 (GB 11643) looks like.
IDENTIFIER = re.compile(r"[0-9A-Z]{18}")
MAX_AMOUNT = Decimal("9999999999.99")  # DecisionDraft.fine_amount: 12 digits, 2 decimals
# Longer text filters are cut: nobody types a party name of 200 characters.
MAX_TEXT = 60
FIELDS = (
    "party",
    "officer",
    "matter",
    "procedure",
    "stage",
    "opened_from",
    "opened_to",
    "decided_from",
    "decided_to",
    "amount_min",
    "amount_max",
    "warning",
    "q",
    "sort",
)
WARNINGS = {"overdue": "已逾期", "near": "即将届满", "any": "已逾期或即将届满"}
OPEN_STAGES = {"open": "未结案", "closed": "已结案"}


def stage_choices() -> list[tuple[str, str]]:
    """Stage codes of every procedure with their labels (one code may name several stages)."""
    labels: dict[str, list[str]] = {}
    for definition in DEFINITIONS.values():
        for stage in definition.stages:
            names = labels.setdefault(stage.code, [])
            if stage.label not in names:
                names.append(stage.label)
    return [(code, "/".join(names)) for code, names in labels.items()]


def _date(raw: str, label: str, errors: list[str]) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    # Chinese order only: 2026-12-03, 2026-12-3, 2026/12/3, 2026.12.3 or 2026年12月3日.
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", raw)
    try:
        if match is None:
            raise ValueError(raw)
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        errors.append(f"{label}“{raw[:20]}”不是有效日期，请按“年-月-日”填写，如 2026-12-03。")
        return None


def _amount(raw: str, label: str, errors: list[str]) -> Decimal | None:
    raw = raw.strip().replace(",", "").replace("，", "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.append(f"{label}“{raw[:20]}”不是数字，请填写金额（元），如 5000。")
        return None
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        errors.append(f"{label}须在 0 至 {MAX_AMOUNT:,.2f} 元之间。")
        return None
    return value.quantize(Decimal("0.01"))


def _int(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if re.fullmatch(r"\d{1,9}", raw) else None


@dataclass
class CaseFilter:
    raw: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    party: str = ""
    officer: int | None = None
    matter: int | None = None
    procedure: str = ""
    stage: str = ""
    opened_from: date | None = None
    opened_to: date | None = None
    decided_from: date | None = None
    decided_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    warning: str = ""
    q: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def parse(cls, params: Any) -> CaseFilter:
        raw = {name: str(params.get(name, "")).strip()[:MAX_TEXT] for name in FIELDS}
        f = cls(raw=raw)
        e = f.errors
        f.party = raw["party"]
        f.q = raw["q"]
        for name, label in (("officer", "办案人员"), ("matter", "执法事项")):
            if raw[name]:
                value = _int(raw[name])
                if value is None:
                    e.append(f"{label}选择有误，请从列表中选择。")
                setattr(f, name, value)
        if raw["procedure"] and raw["procedure"] not in DEFINITIONS:
            e.append("程序选择有误，请从列表中选择。")
        else:
            f.procedure = raw["procedure"]
        stages = {code for code, _ in stage_choices()} | set(OPEN_STAGES)
        if raw["stage"] and raw["stage"] not in stages:
            e.append("阶段选择有误，请从列表中选择。")
        else:
            f.stage = raw["stage"]
        if raw["warning"] and raw["warning"] not in WARNINGS:
            e.append("时限预警选择有误，请从列表中选择。")
        else:
            f.warning = raw["warning"]
        f.opened_from = _date(raw["opened_from"], "立案日期起", e)
        f.opened_to = _date(raw["opened_to"], "立案日期止", e)
        f.decided_from = _date(raw["decided_from"], "决定日期起", e)
        f.decided_to = _date(raw["decided_to"], "决定日期止", e)
        for start, end, label in (
            (f.opened_from, f.opened_to, "立案日期"),
            (f.decided_from, f.decided_to, "决定日期"),
        ):
            if start and end and start > end:
                e.append(
                    f"{label}的起始日（{cn_date(start)}）晚于截止日（{cn_date(end)}），请调换或修改。"
                )
        f.amount_min = _amount(raw["amount_min"], "罚款金额下限", e)
        f.amount_max = _amount(raw["amount_max"], "罚款金额上限", e)
        if f.amount_min is not None and f.amount_max is not None and f.amount_min > f.amount_max:
            e.append("罚款金额下限大于上限，请调换或修改。")
        sort = raw["sort"] or DEFAULT_SORT
        f.sort = sort if sort.lstrip("-") in SORTS else DEFAULT_SORT
        return f

    @property
    def active(self) -> bool:
        return any(v for k, v in self.raw.items() if k != "sort")

    def query_string(self, **changes: str) -> str:
        """The filter as URL parameters (empty ones left out), with ``changes`` applied."""
        params = {k: v for k, v in {**self.raw, **changes}.items() if v}
        return urlencode(params)

    def sort_link(self, key: str) -> str:
        """The query string that sorts by ``key``, flipping the direction when already so."""
        current = self.sort.lstrip("-")
        descending = self.sort.startswith("-")
        target = f"-{key}" if current != key or not descending else key
        return self.query_string(sort=target)

    def apply(self, rows: QuerySet[Case], today: date) -> QuerySet[Case]:
        """Filtered and sorted; ``rows`` must carry ``with_warnings`` (``next_due``)."""
        rows = rows.annotate(amount=F("draft__fine_amount"))
        if self.party:
            code = self.party.upper()
            if IDENTIFIER.fullmatch(code):
                # An 18-character 统一社会信用代码 or 身份证号: equality, read from its index.
                wanted = Q(id_number=code) | Q(credit_code=code)
            else:
                wanted = Q(name__contains=self.party)
            rows = rows.filter(Exists(Party.objects.filter(wanted, case=OuterRef("pk"))))
        if self.officer is not None:
            members = CaseMember.objects.filter(case=OuterRef("pk"), officer_id=self.officer)
            rows = rows.filter(Exists(members))
        if self.matter is not None:
            rows = rows.filter(matter_id=self.matter)
        if self.procedure:
            rows = rows.filter(procedure=self.procedure)
        if self.stage == "open":
            rows = rows.filter(closed_on__isnull=True)
        elif self.stage == "closed":
            rows = rows.filter(closed_on__isnull=False)
        elif self.stage:
            rows = rows.filter(stage=self.stage)
        for name, lookup in (
            ("opened_from", "opened_on__gte"),
            ("opened_to", "opened_on__lte"),
            ("decided_from", "decided_on__gte"),
            ("decided_to", "decided_on__lte"),
            ("amount_min", "draft__fine_amount__gte"),
            ("amount_max", "draft__fine_amount__lte"),
        ):
            value = getattr(self, name)
            if value is not None:
                rows = rows.filter(**{lookup: value})
        if self.warning:
            running = Deadline.objects.filter(case=OuterRef("pk"), status=DeadlineStatus.RUNNING)
            overdue = Exists(running.filter(due_on__lt=today))
            near = Exists(running.filter(warn_on__lte=today, due_on__gte=today))
            condition = {"overdue": overdue, "near": near, "any": overdue | near}[self.warning]
            rows = rows.filter(condition)
        if self.q:
            rows = rows.filter(Q(number__contains=self.q) | Q(title__contains=self.q))
        key = self.sort.lstrip("-")
        first, second = SORTS[key]
        # Empty values last; opened_on and number are never empty, and leaving NULLS LAST out
        # for them lets PostgreSQL read the order from case_agency_opened_idx.
        nulls = {"nulls_last": True} if key in NULLABLE_SORTS else {}
        if self.sort.startswith("-"):
            order = [F(first).desc(**nulls), F(second).desc()]
        else:
            order = [F(first).asc(**nulls), F(second).asc()]
        return rows.order_by(*order)


def filter_choices(user: Any) -> dict[str, Any]:
    """The options of the filter form: the officers and matters of the agencies ``user`` sees."""
    from sanxiang.accounts.queries import visible_agency_ids
    from sanxiang.catalog.models import Matter, MatterVersion
    from sanxiang.directory.models import Officer

    scope = visible_agency_ids(user)
    latest = MatterVersion.objects.filter(matter=OuterRef("pk")).order_by("-number")
    matters = (
        Matter.objects.filter(agency_id__in=scope)
        .annotate(label=Subquery(latest.values("name")[:1]))
        .order_by("code")
        .values_list("pk", "code", "label")
    )
    officers = Officer.objects.filter(agency_id__in=scope).order_by("name", "pk")
    return {
        "officers": list(officers.values_list("pk", "name", "certificate_no")),
        "matters": [(pk, label or code) for pk, code, label in matters],
        "procedures": [(d.code, d.label) for d in DEFINITIONS.values()],
        "stages": [*OPEN_STAGES.items(), *stage_choices()],
        "warnings": list(WARNINGS.items()),
    }
