"""Test data for 双随机: a random-inspection matter, targets through the service, a plan."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from sanxiang.cases.testing import make_matter, org_credit_code
from sanxiang.catalog.models import Matter, MatterVersion
from sanxiang.inspections.models import Plan
from sanxiang.inspections.services import PlanData, TargetData, save_plan, save_target
from sanxiang.inspections.services.targets import HEADERS

MATTER = "T-SJ-01"


def random_matter(world: Any, code: str = MATTER) -> Matter:
    matter = make_matter(world.agency, "inspection", code=code)
    MatterVersion.objects.filter(matter=matter).update(
        random_inspection=True, inspection_ratio=5, inspection_target="宗教活动场所"
    )
    return matter


def target_data(n: int, **changes: Any) -> TargetData:
    fields: dict[str, Any] = {
        "kind": "organisation",
        "name": f"测试区第{n}清真寺",
        "credit_code": org_credit_code(100 + n),
        "legal_representative": f"负责人{n}",
        "address": f"测试区某路{n}号",
        "area": ["一街道", "二街道", "三街道"][n % 3],
        "category": "venue",
        "matter_codes": [MATTER],
        "risk_grade": ["low", "low", "medium", "high"][n % 4],
    }
    fields.update(changes)
    return TargetData(**fields)


def make_targets(world: Any, count: int = 12) -> list[Any]:
    return [save_target(actor=world.officer, data=target_data(n)) for n in range(count)]


def period() -> tuple[date, date]:
    today = timezone.localdate()
    start = max(date(today.year, 1, 1), today - timedelta(days=5))
    return start, today + timedelta(days=20)


def plan_data(**changes: Any) -> PlanData:
    start, end = period()
    fields: dict[str, Any] = {
        "number": "JH-001",
        "title": "宗教活动场所随机抽查",
        "year": start.year,
        "matter_codes": [MATTER],
        "period_start": start,
        "period_end": end,
        "ratio": "25",
    }
    fields.update(changes)
    return PlanData(**fields)


def make_plan(world: Any, **changes: Any) -> Plan:
    return save_plan(actor=world.officer, data=plan_data(**changes))


def xlsx(rows: list[list[Any]], headers: list[str] | None = None) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers or HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def sheet_row(n: int, **changes: Any) -> list[Any]:
    values = {
        "名称或姓名": f"测试区第{n}清真食品店",
        "对象类型": "法人或其他组织",
        "统一社会信用代码": org_credit_code(500 + n),
        "身份证件号码": "",
        "法定代表人或负责人": "马某",
        "地址": "测试区某街",
        "联系电话": "",
        "所在区域": "一街道",
        "对象类别": "清真食品经营者",
        "适用抽查事项编码": MATTER,
        "风险等级": "低风险",
        "信用等级": "A",
    }
    values.update(changes)
    return [values[h] for h in HEADERS]
