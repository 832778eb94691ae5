"""Open data of every public list: 执法主体, 人员, 事项, 随机抽查事项, 抽查计划 and 抽查结果.

Each dataset is a list of rows with a fixed schema (``DATASETS[name].fields``: key → Chinese
label), served as CSV (UTF-8 with BOM, a header row of the labels) and JSON
(``{"dataset", "title", "as_of", "fields", "results"}``) at ``/gongshi/kaifang/<name>.csv|json``,
documented on ``/gongshi/kaifang/`` and in docs/open-data.md. Rows carry exactly what the
portal's pages show — the same masking (a natural person inspected is 张某), no field more.
Decisions have their own streamed files (``/gongshi/jueding.csv|json``, portal_results).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.conf import settings
from django.urls import reverse

from . import portal_queries as pq


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    fields: dict[str, str]
    rows: Callable[[date], Iterator[dict[str, Any]]]
    page: str  # the portal page that shows the same list


def _url(name: str, *args: Any) -> str:
    return settings.PUBLIC_BASE_URL + reverse(name, args=args)


def _bodies(on: date) -> Iterator[dict[str, Any]]:
    for body in pq.public_bodies().order_by("pk"):
        yield {
            "id": body.pk,
            "name": body.name,
            "credit_code": body.credit_code,
            "kind": body.get_kind_display(),
            "parent": body.parent.name if body.parent_id and body.parent else "",
            "legal_basis": body.legal_basis,
            "address": body.address,
            "phone": body.phone,
            "office_hours": body.office_hours,
            "url": _url("portal:agency", body.pk),
        }


def _officers(on: date) -> Iterator[dict[str, Any]]:
    for officer, state in pq.officers_with_state(pq.scope_of(None), on):
        yield {
            "name": officer.name,
            "agency": officer.agency.name,
            "position": officer.position,
            "certificate_no": officer.certificate_no,
            "categories": "、".join(str(c) for c in officer.category_labels()),
            "area": officer.area,
            "state": state,
        }


def _basis(version: Any) -> str:
    return "；".join(
        f"《{b.get('law', '')}》{b.get('article', '')}" for b in version.legal_basis or []
    )


def _matters(on: date, *, random_only: bool = False) -> Iterator[dict[str, Any]]:
    for v in pq.matter_list(pq.scope_of(None), on, random_only=random_only):
        row = {
            "code": v.matter.code,
            "category": str(v.category_label),
            "name": v.name,
            "agency": v.matter.agency.name,
            "legal_basis": _basis(v),
            "handling_unit": v.handling_unit,
            "time_limit": f"{v.time_limit}{v.get_time_limit_unit_display()}"
            if v.time_limit
            else "",
            "valid_from": v.valid_from.isoformat(),
            "url": _url("portal:guide", v.matter_id),
        }
        if random_only:
            row["inspection_ratio"] = (
                f"{v.inspection_ratio}" if v.inspection_ratio is not None else ""
            )
            row["inspection_method"] = v.inspection_method
        yield row


def _inspection_queries() -> Any | None:
    if not apps.is_installed("sanxiang.inspections"):
        return None
    return importlib.import_module("sanxiang.inspections.queries")


def _plans(on: date) -> Iterator[dict[str, Any]]:
    queries = _inspection_queries()
    if queries is None:
        return
    for plan in queries.public_plans().order_by("-year", "pk"):
        yield {
            "number": plan.number,
            "title": plan.title,
            "year": plan.year,
            "agency": plan.agency.name,
            "matters": "、".join(m.code for m in plan.matters.order_by("code")),
            "ratio": f"{plan.ratio}" if plan.ratio is not None else "",
            "count": plan.count if plan.count is not None else "",
            "period_start": plan.period_start.isoformat(),
            "period_end": plan.period_end.isoformat(),
            "status": plan.get_status_display(),
            "url": _url("choucha:plan", plan.pk),
        }


def _results(on: date) -> Iterator[dict[str, Any]]:
    queries = _inspection_queries()
    if queries is None:
        return
    for plan in queries.public_plans().order_by("-year", "pk"):
        for r in queries.public_results(plan):
            yield {
                "plan": plan.number,
                "position": r.position,
                "target": r.target,
                "credit_code": r.credit_code,
                "area": r.area,
                "category": r.category,
                "stratum": r.stratum,
                "team": r.team,
                "outcome": r.outcome,
                "findings": r.findings,
                "inspected_on": r.inspected_on.isoformat() if r.inspected_on else "",
                "rectify_by": r.rectify_by.isoformat() if r.rectify_by else "",
                "follow_up_on": r.follow_up_on.isoformat() if r.follow_up_on else "",
            }


MATTER_FIELDS = {
    "code": "事项编码",
    "category": "执法类别",
    "name": "事项名称",
    "agency": "执法主体",
    "legal_basis": "法律依据",
    "handling_unit": "承办机构",
    "time_limit": "法定时限",
    "valid_from": "版本日期",
    "url": "服务指南网址",
}

DATASETS = {
    d.name: d
    for d in (
        Dataset(
            "zhuti",
            "行政执法主体",
            {
                "id": "编号",
                "name": "名称",
                "credit_code": "统一社会信用代码",
                "kind": "主体类型",
                "parent": "上级机关",
                "legal_basis": "主体资格依据",
                "address": "地址",
                "phone": "电话",
                "office_hours": "办公时间",
                "url": "公示网址",
            },
            _bodies,
            "portal:home",
        ),
        Dataset(
            "renyuan",
            "行政执法人员",
            {
                "name": "姓名",
                "agency": "单位",
                "position": "职务",
                "certificate_no": "执法证件编号",
                "categories": "执法类别",
                "area": "执法区域",
                "state": "证件状态",
            },
            _officers,
            "portal:officers",
        ),
        Dataset("shixiang", "行政执法事项清单", MATTER_FIELDS, _matters, "portal:matters"),
        Dataset(
            "choucha",
            "随机抽查事项清单",
            {**MATTER_FIELDS, "inspection_ratio": "抽查比例(%)", "inspection_method": "抽查方式"},
            lambda on: _matters(on, random_only=True),
            "portal:random",
        ),
        Dataset(
            "choucha-jihua",
            "随机抽查计划",
            {
                "number": "计划编号",
                "title": "计划名称",
                "year": "年度",
                "agency": "牵头执法主体",
                "matters": "抽查事项编码",
                "ratio": "抽查比例(%)",
                "count": "抽查数量",
                "period_start": "检查开始日期",
                "period_end": "检查结束日期",
                "status": "状态",
                "url": "公示网址",
            },
            _plans,
            "choucha:plans",
        ),
        Dataset(
            "choucha-jieguo",
            "随机抽查结果",
            {
                "plan": "计划编号",
                "position": "序号",
                "target": "检查对象",
                "credit_code": "统一社会信用代码",
                "area": "区域",
                "category": "对象类别",
                "stratum": "层级",
                "team": "检查人员",
                "outcome": "检查结果",
                "findings": "发现的问题",
                "inspected_on": "检查日期",
                "rectify_by": "整改期限",
                "follow_up_on": "复查日期",
            },
            _results,
            "choucha:plans",
        ),
    )
}


def rows_of(name: str, on: date) -> list[dict[str, Any]]:
    dataset = DATASETS[name]
    return [{key: row.get(key, "") for key in dataset.fields} for row in dataset.rows(on)]
