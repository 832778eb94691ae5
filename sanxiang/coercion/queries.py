"""Reading a 查封、扣押 case: its 清单 and how the measure ends, as the documents print them
(``register_sheet_text``: ``label：value`` lines, or one tab-separated line per item)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.services.extensions import extension_text as clock_extension_text

from .models import OnSpotReport, SeizureItem, SeizureOutcome
from .services import REPORT_HOURS, report_is_late

FIELDS = ("name", "specification", "quantity", "unit", "location")


def items_of(case: Case | int) -> list[SeizureItem]:
    case_id = case if isinstance(case, int) else case.pk
    return list(SeizureItem.objects.filter(case_id=case_id).order_by("position"))


def quantity_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def items_text(case: Case) -> str:
    """One line per item: 名称, 规格, 数量, 单位, 地点 separated by tabs (``builders``)."""
    return "\n".join(
        "\t".join((i.name, i.specification, quantity_text(i.quantity), i.unit, i.location)).replace(
            "\n", " "
        )
        for i in items_of(case)
    )


def extension_text(case: Case) -> str:
    return clock_extension_text(case, "seizure")


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def outcome_of(case: Case | int) -> SeizureOutcome | None:
    case_id = case if isinstance(case, int) else case.pk
    return SeizureOutcome.objects.filter(case_id=case_id).first()


def release_text(case: Case) -> str:
    outcome = outcome_of(case)
    if outcome is None or outcome.outcome != "release":
        return ""
    lines = [f"解除理由：{outcome.get_ground_display()}", f"解除日期：{_cn(outcome.decided_on)}"]
    if outcome.explanation:
        lines.append(f"说明：{outcome.explanation}")
    return "\n".join(lines)


def report_of(case: Case | int) -> OnSpotReport | None:
    case_id = case if isinstance(case, int) else case.pk
    return OnSpotReport.objects.filter(case_id=case_id).first()


def _at(value: datetime) -> str:
    at = timezone.localtime(value)
    return f"{at.year}年{at.month}月{at.day}日{at:%H:%M}"


def report_text(case: Case) -> str:
    report = report_of(case)
    if report is None:
        return ""
    hours = (report.reported_at - report.carried_out_at).total_seconds() / 3600
    timely = (
        f"超过{REPORT_HOURS}小时（逾期报告，用时{hours:.1f}小时）"
        if report_is_late(report)
        else f"{REPORT_HOURS}小时内（用时{hours:.1f}小时）"
    )
    return "\n".join(
        (
            f"当场实施时间：{_at(report.carried_out_at)}",
            f"报告负责人时间：{_at(report.reported_at)}",
            f"报告时限：{timely}",
            f"紧急事由：{report.circumstances}",
        )
    )
