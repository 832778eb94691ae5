from __future__ import annotations

from typing import Any

from django import forms

from sanxiang.directory.models import MatterCategory
from sanxiang.workbench.forms import StyledForm

from .models import DayUnit
from .services import MatterContent

_TEXT = forms.Textarea(attrs={"rows": 2})


class MatterForm(StyledForm):
    code = forms.CharField(label="事项编码", max_length=40)
    category = forms.ChoiceField(label="事项类别", choices=MatterCategory.choices)
    name = forms.CharField(label="事项名称", max_length=200)
    basis_law = forms.CharField(label="法律依据：法律法规名称", max_length=200)
    basis_article = forms.CharField(label="法律依据：条款", max_length=60, required=False)
    basis_text = forms.CharField(label="法律依据：条文内容", widget=_TEXT, required=False)
    handling_unit = forms.CharField(label="承办机构", max_length=120)
    time_limit = forms.IntegerField(label="法定时限", min_value=1, required=False)
    time_limit_unit = forms.ChoiceField(label="时限单位", choices=DayUnit.choices)
    responsibilities = forms.CharField(label="责任事项", widget=_TEXT, required=False)
    accountability = forms.CharField(label="追责情形", widget=_TEXT, required=False)
    conditions = forms.CharField(label="办理条件", widget=_TEXT, required=False)
    materials = forms.CharField(label="申请材料", widget=_TEXT, required=False)
    process = forms.CharField(label="办理流程", widget=_TEXT, required=False)
    acceptance_body = forms.CharField(label="受理机构", max_length=120, required=False)
    approval_body = forms.CharField(label="审批机构", max_length=120, required=False)
    guide_time_limit = forms.CharField(label="办理时限（服务指南）", max_length=120, required=False)
    fee = forms.CharField(label="收费标准", max_length=120, required=False)
    preferential_policy = forms.CharField(label="优惠政策", widget=_TEXT, required=False)
    supervision = forms.CharField(label="监督方式", widget=_TEXT, required=False)
    remedy = forms.CharField(label="救济渠道", widget=_TEXT, required=False)
    office_hours = forms.CharField(label="办公时间", max_length=120, required=False)
    address = forms.CharField(label="办公地址", max_length=200, required=False)
    phone = forms.CharField(label="咨询电话", max_length=40, required=False)
    online_application = forms.BooleanField(label="接受网上申请（仅行政许可事项）", required=False)
    application_fields = forms.CharField(
        label="网上申请填写事项",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="申请人除身份、联系方式和申请事项及理由外还须填写的内容，每行一项，末尾加“*”为必填，"
        "如：场所名称*",
    )
    random_inspection = forms.BooleanField(label="列入随机抽查事项清单", required=False)
    inspection_target = forms.CharField(label="抽查对象", max_length=200, required=False)
    inspection_content = forms.CharField(label="抽查内容", max_length=200, required=False)
    inspection_ratio = forms.DecimalField(
        label="抽查比例(%)", max_digits=5, decimal_places=2, required=False
    )
    inspection_method = forms.CharField(label="抽查方式", max_length=120, required=False)
    inspection_frequency = forms.CharField(label="抽查频次", max_length=120, required=False)
    valid_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="变更说明", max_length=200, required=False)

    def content(self, base: MatterContent | None = None) -> MatterContent:
        d: dict[str, Any] = dict(self.cleaned_data)
        basis = [
            {
                "law": d.pop("basis_law"),
                "article": d.pop("basis_article"),
                "text": d.pop("basis_text"),
            }
        ]
        for key in ("code", "valid_from", "note"):
            d.pop(key)
        if base is not None:
            merged = vars(base) | d | {"legal_basis": basis + base.legal_basis[1:]}
            return MatterContent(**merged)
        return MatterContent(legal_basis=basis, **d)


def matter_initial(version: Any) -> dict[str, Any]:
    basis = (version.legal_basis or [{}])[0]
    initial = {f: getattr(version, f, None) for f in MatterForm.base_fields}
    return initial | {
        "code": version.matter.code,
        "basis_law": basis.get("law", ""),
        "basis_article": basis.get("article", ""),
        "basis_text": basis.get("text", ""),
        "valid_from": None,
        "note": "",
    }
