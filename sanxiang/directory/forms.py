from __future__ import annotations

from typing import Any

from django import forms

from sanxiang.workbench.forms import StyledForm

from .models import Agency, AgencyKind, AgencyLevel, CertificateStatus, MatterCategory
from .services import AgencyData, OfficerData

_DATE = forms.DateInput(attrs={"type": "date"})


class OfficerForm(StyledForm):
    agency = forms.ModelChoiceField(label="单位", queryset=Agency.objects.none())
    name = forms.CharField(label="姓名", max_length=60)
    position = forms.CharField(label="职务", max_length=60, required=False)
    certificate_no = forms.CharField(label="执法证件编号", max_length=40)
    categories = forms.MultipleChoiceField(
        label="执法类别", choices=MatterCategory.choices, widget=forms.CheckboxSelectMultiple
    )
    area = forms.CharField(label="执法区域", max_length=120, help_text="多个区域用“、”分隔")
    certificate_issued = forms.DateField(label="发证日期", widget=_DATE)
    certificate_expires = forms.DateField(label="有效期至", widget=_DATE)
    certificate_status = forms.ChoiceField(label="证件状态", choices=CertificateStatus.choices)
    is_reviewer = forms.BooleanField(label="法制审核人员", required=False)
    legal_qualification_no = forms.CharField(
        label="法律职业资格证书编号", max_length=40, required=False
    )

    def __init__(self, *args: Any, scope: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=scope)  # type: ignore[attr-defined]

    def to_data(self) -> OfficerData:
        d = dict(self.cleaned_data)
        agency = d.pop("agency")
        return OfficerData(agency_id=agency.pk, **d)


class AgencyForm(StyledForm):
    name = forms.CharField(label="名称", max_length=120)
    short_name = forms.CharField(label="文号简称", max_length=16, required=False)
    level = forms.ChoiceField(label="层级", choices=AgencyLevel.choices)
    kind = forms.ChoiceField(label="主体类型", choices=AgencyKind.choices)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    legal_basis = forms.CharField(label="主体资格依据", widget=forms.Textarea, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    phone = forms.CharField(label="电话", max_length=40, required=False)
    office_hours = forms.CharField(label="办公时间", max_length=120, required=False)
    supervision_channels = forms.CharField(label="监督方式", widget=forms.Textarea, required=False)
    remedy_channels = forms.CharField(label="救济渠道", widget=forms.Textarea, required=False)
    payment_instructions = forms.CharField(
        label="罚款缴纳方式",
        widget=forms.Textarea,
        required=False,
        help_text="印在行政处罚决定书上，如：持本决定书和非税收入缴款书到××银行缴纳，或通过××电子缴款系统缴纳。",
    )
    area = forms.CharField(label="管辖区域", max_length=60, required=False)
    is_legal_unit = forms.BooleanField(label="法制审核机构", required=False)

    def to_data(self, agency: Agency) -> AgencyData:
        return AgencyData(
            parent_id=agency.parent_id,
            entrusted_by_id=agency.entrusted_by_id,
            supervised_by_id=agency.supervised_by_id,
            is_demo=agency.is_demo,
            **self.cleaned_data,
        )


def officer_initial(officer: Any) -> dict[str, Any]:
    return {f: getattr(officer, f) for f in OfficerForm.base_fields if f != "agency"} | {
        "agency": officer.agency_id
    }
