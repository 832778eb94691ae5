from __future__ import annotations

from django import forms

from sanxiang.workbench.forms import StyledForm

from .models import ReleaseGround
from .services import ItemData

_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SEPARATOR = "｜"


class ItemsForm(StyledForm):
    lines = forms.CharField(
        label="查封、扣押的场所、设施或者财物（每行一项：名称｜规格、特征｜数量｜单位｜存放地点）",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=40000,
    )

    def items(self) -> list[ItemData]:
        """Each non-empty line as an item; the service checks the values."""
        found = []
        for line in str(self.cleaned_data["lines"]).splitlines():
            if not line.strip():
                continue
            cells = [c.strip() for c in line.replace("|", SEPARATOR).split(SEPARATOR)]
            cells += [""] * (5 - len(cells))
            name, spec, quantity, unit, where = cells[:5]
            found.append(ItemData(name, quantity, unit, spec, where))
        return found


class ReportForm(StyledForm):
    carried_out_at = forms.DateTimeField(label="当场实施时间", widget=_DT)
    reported_at = forms.DateTimeField(
        label="报告负责人时间", widget=_DT, required=False, help_text="不填为现在"
    )
    circumstances = forms.CharField(
        label="情况紧急、需要当场实施的事由", widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(StyledForm):
    days = forms.IntegerField(label="延长天数（不超过三十日）", min_value=1, max_value=30)
    reason = forms.CharField(
        label="延长理由（情况复杂的具体情形）", widget=forms.Textarea(attrs={"rows": 2})
    )


class ReleaseForm(StyledForm):
    ground = forms.ChoiceField(label="解除理由（第28条）", choices=ReleaseGround.choices)
    explanation = forms.CharField(
        label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    on = forms.DateField(label="决定日期", widget=_DATE, required=False, help_text="不填为今天")


class ConfiscationForm(StyledForm):
    decision_number = forms.CharField(label="没收决定的文号", max_length=64)
    note = forms.CharField(label="说明", required=False, max_length=500)
