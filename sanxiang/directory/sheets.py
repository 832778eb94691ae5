"""执法人员 as a spreadsheet that round-trips: the export re-imports as "nothing to change"; a
changed row becomes a new version of the officer's entry from the 生效日期 the sheet gives
(blank: today), the one it replaces kept with its end date (``directory.versioning``); any bad
cell saves nothing and every one is reported."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.imports import engine
from sanxiang.lib import roundtrip as rt
from sanxiang.lib.errors import DomainError

from .models import Agency, CertificateStatus, MatterCategory, Officer
from .services import OfficerData, save_officer_row, validate_officer

CATEGORY = {str(label): value for value, label in MatterCategory.choices}
STATUS = {str(label): value for value, label in CertificateStatus.choices}


def _categories(value: Any) -> list[str]:
    labels = [c.strip() for c in rt.text(value).replace(",", "、").replace("，", "、").split("、")]
    unknown = [c for c in labels if c and c not in CATEGORY]
    if unknown:
        raise rt.CellError(f"执法类别“{'、'.join(unknown)}”无效，应为：{'、'.join(CATEGORY)}。")
    return [CATEGORY[c] for c in labels if c]


LAYOUT = rt.Layout(
    title="执法人员",
    columns=(
        rt.Column("姓名", rt.required(), width=10),
        rt.Column("单位", rt.required(), width=20),
        rt.Column("职务", width=10),
        rt.Column("执法证件编号", rt.required(), width=16),
        rt.Column(
            "执法类别",
            _categories,
            lambda v: "、".join(str(MatterCategory(c).label) for c in v or []),
            width=16,
        ),
        rt.Column("执法区域", rt.required(), width=14),
        rt.date_column("发证日期"),
        rt.date_column("有效期至"),
        rt.Column(
            "证件状态",
            rt.choice(STATUS, default="有效"),
            lambda v: str(CertificateStatus(v).label),
            width=8,
        ),
        rt.Column("法制审核人员", rt.yes_no, lambda v: "是" if v else "否", width=8),
        rt.Column("法律职业资格证书编号", width=18),
        # The day the row's content holds from (blank in the export: since before versions).
        rt.date_column("生效日期", blank=True),
    ),
    key=("执法证件编号",),
)
HEADERS = LAYOUT.headers
FIELDS = {
    "name": "姓名",
    "agency_id": "单位",
    "certificate_no": "执法证件编号",
    "area": "执法区域",
    "certificate_issued": "发证日期",
    "certificate_expires": "有效期至",
    "categories": "执法类别",
    "certificate_status": "证件状态",
    "valid_from": "生效日期",
}


def record(o: Officer) -> dict[str, Any]:
    return {
        "姓名": o.name,
        "单位": o.agency.name,
        "职务": o.position,
        "执法证件编号": o.certificate_no,
        "执法类别": list(o.categories),
        "执法区域": o.area,
        "发证日期": o.certificate_issued,
        "有效期至": o.certificate_expires,
        "证件状态": o.certificate_status,
        "法制审核人员": o.is_reviewer,
        "法律职业资格证书编号": o.legal_qualification_no,
        "生效日期": o.valid_from,
        "_officer": o,
    }


def export_officers(officers: list[Officer]) -> bytes:
    return rt.write(LAYOUT, (record(o) for o in officers))


def _data(values: dict[str, Any], agency_id: int, before: Officer | None) -> OfficerData:
    return OfficerData(
        agency_id=agency_id,
        name=values["姓名"],
        position=values["职务"],
        certificate_no=values["执法证件编号"],
        categories=values["执法类别"],
        area=values["执法区域"],
        certificate_issued=values["发证日期"],
        certificate_expires=values["有效期至"],
        certificate_status=values["证件状态"],
        is_reviewer=values["法制审核人员"],
        legal_qualification_no=values["法律职业资格证书编号"],
        user_id=before.user_id if before else None,
    )


def import_officers(*, actor: User, data: bytes, scope: set[int]) -> engine.Outcome:
    """Create or update officers of the agencies in ``scope``, keyed by certificate number."""
    units = {a.name: a.pk for a in Agency.objects.filter(pk__in=scope)}

    def current() -> engine.Current:
        officers = Officer.objects.filter(agency_id__in=scope).select_related("agency")
        return {(o.certificate_no,): record(o) for o in officers}

    def check(verdict: engine.Check) -> None:
        rows = [*verdict.diff.new, *(r for r, _ in verdict.diff.changed)]
        elsewhere = set(
            Officer.objects.filter(certificate_no__in=[r.values["执法证件编号"] for r in rows])
            .exclude(agency_id__in=scope)
            .values_list("certificate_no", flat=True)
        )
        for row in rows:
            unit = units.get(row.values["单位"])
            if unit is None:
                verdict.refuse(row, "单位", "不在您管理的执法主体内（请填写执法主体的全称）。")
                continue
            if row.values["执法证件编号"] in elsewhere:
                verdict.refuse(row, "执法证件编号", "该证件编号已登记在其他执法主体。")
                continue
            try:
                validate_officer(_data(row.values, unit, None))
            except DomainError as err:
                verdict.refuse_error(row, err, FIELDS)
        for row, before in verdict.diff.changed:
            _check_date(verdict, row, before["_officer"])

    def apply(row: rt.Row, before: engine.Record | None) -> None:
        officer = before["_officer"] if before else None
        given = row.values["生效日期"]
        save_officer_row(
            actor=actor,
            data=_data(row.values, units[row.values["单位"]], officer),
            officer_id=officer.pk if officer else None,
            valid_from=given or (timezone.localdate() if officer else None),
        )

    return engine.run(
        layout=LAYOUT,
        data=data,
        current=current,
        check=check,
        apply=apply,
        fields=FIELDS,
        # A 生效日期 only dates a change: alone it changes nothing.
        ignore=("生效日期",),
    )


def _check_date(verdict: engine.Check, row: rt.Row, officer: Officer) -> None:
    """A changed row starts a new version: after the current one's start (blank: today)."""
    day = row.values["生效日期"] or timezone.localdate()
    if officer.valid_from is not None and day <= officer.valid_from:
        verdict.refuse(
            row,
            "生效日期",
            f"本行内容有变更，须写明新版本的生效日期（晚于现行第{officer.version}版的"
            f"{officer.valid_from:%Y-%m-%d}；留空为今天）。",
        )
