from __future__ import annotations

from django import forms

from sanxiang.workbench.forms import StyledForm

from .models import LicenceCategory

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TermsForm(StyledForm):
    category = forms.ChoiceField(label="许可类别", choices=LicenceCategory.choices)
    content = forms.CharField(
        label="许可内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    certificate_name = forms.CharField(label="许可证件名称", max_length=100, required=False)
    licence_number = forms.CharField(label="证件编号", max_length=64, required=False)
    valid_from = forms.DateField(label="有效期自", widget=_DATE)
    valid_until = forms.DateField(
        label="有效期至", widget=_DATE, required=False, help_text="留空为长期有效"
    )


class ExtendForm(StyledForm):
    """行政许可法 第42条: the head extends the 二十日 by 十日 (working days), the reason told."""

    reason = forms.CharField(
        label="延长理由（告知申请人）", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
