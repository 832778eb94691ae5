"""人员库 as a spreadsheet: export, and an all-or-nothing import that reports the bad row."""

from __future__ import annotations

from typing import IO

from django.db import transaction

from sanxiang.accounts.models import User
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.sheets import SheetError, cell_date, cell_text, read_rows, write_rows

from .models import Agency, CertificateStatus, MatterCategory, Officer
from .services import OfficerData, save_officer_row

HEADERS = [
    "姓名",
    "单位",
    "职务",
    "执法证件编号",
    "执法类别",
    "执法区域",
    "发证日期",
    "有效期至",
    "证件状态",
    "法制审核人员",
    "法律职业资格证书编号",
]
_CATEGORY_BY_LABEL = {str(label): value for value, label in MatterCategory.choices}
_STATUS_BY_LABEL = {str(label): value for value, label in CertificateStatus.choices}
_YES = {"是", "Y", "y", "1", "TRUE", "True", "true"}
_NO = {"否", "", "N", "n", "0", "FALSE", "False", "false"}


def export_officers(officers: list[Officer]) -> bytes:
    rows = [
        [
            o.name,
            o.agency.name,
            o.position,
            o.certificate_no,
            "、".join(o.category_labels()),
            o.area,
            o.certificate_issued,
            o.certificate_expires,
            str(CertificateStatus(o.certificate_status).label),
            "是" if o.is_reviewer else "否",
            o.legal_qualification_no,
        ]
        for o in officers
    ]
    return write_rows("执法人员", HEADERS, rows)


def _row_to_data(number: int, row: dict[str, object], units: dict[str, int]) -> OfficerData:
    unit = cell_text(row["单位"])
    if unit not in units:
        raise SheetError(f"单位“{unit}”不在您管理的执法主体内。", row=number, column="单位")
    labels = [c for c in cell_text(row["执法类别"]).replace(",", "、").split("、") if c]
    unknown = [c for c in labels if c not in _CATEGORY_BY_LABEL]
    if unknown:
        raise SheetError(f"执法类别“{'、'.join(unknown)}”无效。", row=number, column="执法类别")
    status = cell_text(row["证件状态"]) or "有效"
    if status not in _STATUS_BY_LABEL:
        raise SheetError(
            f"证件状态“{status}”无效（有效/暂扣/注销）。", row=number, column="证件状态"
        )
    reviewer = cell_text(row["法制审核人员"])
    if reviewer not in _YES | _NO:
        raise SheetError("请填写“是”或“否”。", row=number, column="法制审核人员")
    return OfficerData(
        agency_id=units[unit],
        name=cell_text(row["姓名"]),
        position=cell_text(row["职务"]),
        certificate_no=cell_text(row["执法证件编号"]),
        categories=[_CATEGORY_BY_LABEL[c] for c in labels],
        area=cell_text(row["执法区域"]),
        certificate_issued=cell_date(row["发证日期"], row=number, column="发证日期"),
        certificate_expires=cell_date(row["有效期至"], row=number, column="有效期至"),
        certificate_status=_STATUS_BY_LABEL[status],
        is_reviewer=reviewer in _YES,
        legal_qualification_no=cell_text(row["法律职业资格证书编号"]),
    )


@transaction.atomic(durable=True)
def import_officers(*, actor: User, stream: IO[bytes], scope: set[int]) -> int:
    """Create or update officers by certificate number; any bad row saves nothing at all."""
    units = {a.name: a.pk for a in Agency.objects.filter(pk__in=scope)}
    try:
        rows = read_rows(stream, HEADERS)
    except SheetError as err:
        raise ValidationFailed(str(err), field="file") from None
    seen: set[str] = set()
    for number, row in rows:
        try:
            data = _row_to_data(number, row, units)
            if data.certificate_no in seen:
                raise SheetError("执法证件编号在文件中重复。", row=number, column="执法证件编号")
            seen.add(data.certificate_no)
            existing = Officer.objects.filter(certificate_no=data.certificate_no).first()
            if existing is not None and existing.agency_id not in scope:
                raise SheetError(
                    "该证件编号已登记在其他执法主体。", row=number, column="执法证件编号"
                )
            save_officer_row(actor=actor, data=data, officer_id=existing.pk if existing else None)
        except SheetError as err:
            raise ValidationFailed(str(err), field="file") from None
        except DomainError as err:
            raise ValidationFailed(f"第{number}行：{err.message}", field="file") from None
    return len(rows)
