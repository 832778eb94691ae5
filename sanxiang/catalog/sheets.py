"""事项库 as a spreadsheet: export of the current list, all-or-nothing import of new matters."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction

from sanxiang.accounts.models import User
from sanxiang.directory.models import MatterCategory
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.sheets import SheetError, cell_date, cell_text, read_rows, write_rows

from .models import DayUnit, Matter, MatterVersion
from .services import MatterContent, create_matter_row, revise_matter_row

HEADERS = [
    "事项编码",
    "事项类别",
    "事项名称",
    "法律名称",
    "条款",
    "条文",
    "承办机构",
    "法定时限",
    "时限单位",
    "责任事项",
    "追责情形",
    "随机抽查",
    "抽查比例(%)",
    "生效日期",
]
_CATEGORY = {str(label): value for value, label in MatterCategory.choices}
_UNIT = {str(label): value for value, label in DayUnit.choices}


def export_matters(versions: list[MatterVersion]) -> bytes:
    rows = []
    for v in versions:
        basis = (v.legal_basis or [{}])[0]
        rows.append(
            [
                v.matter.code,
                v.category_label,
                v.name,
                basis.get("law", ""),
                basis.get("article", ""),
                basis.get("text", ""),
                v.handling_unit,
                v.time_limit,
                str(DayUnit(v.time_limit_unit).label),
                v.responsibilities,
                v.accountability,
                "是" if v.random_inspection else "否",
                float(v.inspection_ratio) if v.inspection_ratio is not None else None,
                v.valid_from,
            ]
        )
    return write_rows("行政执法事项清单", HEADERS, rows)


def _content(number: int, row: dict[str, object]) -> MatterContent:
    category = cell_text(row["事项类别"])
    if category not in _CATEGORY:
        raise SheetError(f"事项类别“{category}”无效。", row=number, column="事项类别")
    unit = cell_text(row["时限单位"]) or "工作日"
    if unit not in _UNIT:
        raise SheetError("时限单位应为“工作日”或“自然日”。", row=number, column="时限单位")
    limit_text = cell_text(row["法定时限"])
    if limit_text and not limit_text.isdigit():
        raise SheetError(f"“{limit_text}”不是正整数。", row=number, column="法定时限")
    ratio_text = cell_text(row["抽查比例(%)"])
    try:
        ratio = Decimal(ratio_text).quantize(Decimal("0.01")) if ratio_text else None
    except InvalidOperation:
        raise SheetError(f"“{ratio_text}”不是数字。", row=number, column="抽查比例(%)") from None
    return MatterContent(
        category=_CATEGORY[category],
        name=cell_text(row["事项名称"]),
        handling_unit=cell_text(row["承办机构"]),
        legal_basis=[
            {
                "law": cell_text(row["法律名称"]),
                "article": cell_text(row["条款"]),
                "text": cell_text(row["条文"]),
            }
        ],
        time_limit=int(limit_text) if limit_text else None,
        time_limit_unit=_UNIT[unit],
        responsibilities=cell_text(row["责任事项"]),
        accountability=cell_text(row["追责情形"]),
        random_inspection=cell_text(row["随机抽查"]) == "是",
        inspection_ratio=ratio,
    )


@transaction.atomic(durable=True)
def import_matters(*, actor: User, agency_id: int, stream: IO[bytes]) -> int:
    """New codes create matters; known codes whose content changed get a new version."""
    try:
        rows = read_rows(stream, HEADERS)
    except SheetError as err:
        raise ValidationFailed(str(err), field="file") from None
    for number, row in rows:
        try:
            content = _content(number, row)
            valid_from = cell_date(row["生效日期"], row=number, column="生效日期")
            code = cell_text(row["事项编码"])
            matter = Matter.objects.filter(agency_id=agency_id, code=code).first()
            if matter is None:
                create_matter_row(
                    actor=actor,
                    agency_id=agency_id,
                    code=code,
                    content=content,
                    valid_from=valid_from,
                )
                continue
            current = matter.versions.get(valid_to__isnull=True)
            if MatterContent.from_version(current) != _merge(current, content):
                revise_matter_row(
                    actor=actor,
                    matter_id=matter.pk,
                    content=_merge(current, content),
                    valid_from=valid_from,
                    note="表格导入",
                )
        except SheetError as err:
            raise ValidationFailed(str(err), field="file") from None
        except DomainError as err:
            raise ValidationFailed(f"第{number}行：{err.message}", field="file") from None
    return len(rows)


def _merge(current: MatterVersion, content: MatterContent) -> MatterContent:
    """Keep the guide fields the sheet does not carry."""
    base = MatterContent.from_version(current)
    carried = {k: v for k, v in vars(content).items() if k != "legal_basis"}
    basis = content.legal_basis + base.legal_basis[1:]
    return MatterContent(**(vars(base) | carried | {"legal_basis": basis}))
