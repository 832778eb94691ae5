from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from sanxiang.catalog.queries import matters_as_of
from sanxiang.directory.models import Agency, AgencyLevel, MatterCategory
from sanxiang.workbench.forms import StyledForm

from .models import ConflictKind, Outcome, RiskGrade, TargetCategory, TeamMix
from .services import PlanData
from .services.targets import inspection_matters

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(StyledForm):
    number = forms.CharField(label="计划编号", max_length=40)
    title = forms.CharField(label="计划名称", max_length=200)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    matters = forms.MultipleChoiceField(
        label="抽查事项（随机抽查事项清单）", widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        label="对象类别（不选为全部）",
        choices=TargetCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    areas = forms.CharField(label="区域（以、分隔，留空为全部）", required=False)
    ratio = forms.CharField(label="抽查比例(%)", required=False, max_length=10)
    count = forms.IntegerField(label="或抽查数量", required=False)
    period_start = forms.DateField(label="检查开始日期", widget=_DATE)
    period_end = forms.DateField(label="检查结束日期", widget=_DATE)
    team_size = forms.IntegerField(label="每组执法检查人员数", initial=2)
    key_grade = forms.ChoiceField(
        label="重点检查：风险等级",
        choices=[("", "（无）"), *RiskGrade.choices],
        required=False,
    )
    key_ratio = forms.CharField(
        label="重点检查比例(%)",
        required=False,
        max_length=10,
        help_text="须高于一般抽查比例（国办发〔2015〕58号：对投诉举报多、有严重违法违规记录等"
        "情况的，要加大随机抽查力度）。",
    )
    key_exempt_cap = forms.BooleanField(label="重点对象不受年度一次的限制", required=False)
    joint_agencies = forms.MultipleChoiceField(
        label="联合抽查部门（本区执法部门）", required=False, widget=forms.CheckboxSelectMultiple
    )
    team_mix = forms.ChoiceField(
        label="联合抽查编组方式", choices=TeamMix.choices, initial=TeamMix.MIXED, required=False
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        # 联合抽查 (issue 13 item 3): departments of the same district, and their matters.
        others = list(
            Agency.objects.filter(level=AgencyLevel.DEPARTMENT, parent_id=agency.parent_id)
            .exclude(pk=agency.pk)
            .order_by("pk")
            if agency.parent_id
            else []
        )
        bodies = [agency, *others]
        codes = {c for a in bodies for c in inspection_matters(a)}
        names = {a.pk: a.short_name or a.name for a in bodies}
        self.fields["matters"].choices = [  # type: ignore[attr-defined]
            (
                v.matter.code,
                f"{v.matter.code} {v.name}"
                + ("" if v.matter.agency_id == agency.pk else f"（{names[v.matter.agency_id]}）"),
            )
            for v in matters_as_of([a.pk for a in bodies], today)
            if v.matter.code in codes
        ]
        self.fields["joint_agencies"].choices = [  # type: ignore[attr-defined]
            (a.pk, a.name) for a in others
        ]

    def to_data(self) -> PlanData:
        d = self.cleaned_data
        rules = []
        if d["key_grade"]:
            rules.append(
                {
                    "grade": d["key_grade"],
                    "ratio": d["key_ratio"],
                    "exempt_cap": d["key_exempt_cap"],
                }
            )
        return PlanData(
            number=d["number"],
            title=d["title"],
            year=d["year"],
            matter_codes=list(d["matters"]),
            categories=list(d["categories"]),
            areas=[a.strip() for a in d["areas"].replace(",", "、").split("、") if a.strip()],
            ratio=d["ratio"] or None,
            count=d["count"],
            period_start=d["period_start"],
            period_end=d["period_end"],
            team_size=d["team_size"],
            key_rules=rules,
            joint_agency_ids=[int(pk) for pk in d["joint_agencies"]],
            team_mix=d["team_mix"] or TeamMix.MIXED,
        )


class RedrawForm(StyledForm):
    reason = forms.CharField(
        label="重新抽取理由（将公开）", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ResultForm(StyledForm):
    outcome = forms.ChoiceField(label="检查结果", choices=Outcome.choices)
    findings = forms.CharField(label="检查情况", widget=forms.Textarea(attrs={"rows": 3}))
    inspected_on = forms.DateField(label="检查完成日期", widget=_DATE)
    rectify_by = forms.DateField(label="整改期限（责令整改时）", widget=_DATE, required=False)
    referred_to = forms.CharField(label="移送机关（移送时）", max_length=120, required=False)
    penalty_matter = forms.ChoiceField(label="处罚事项（立案查处时）", required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspected_on"].initial = timezone.localdate()
        self.fields["penalty_matter"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *(
                (v.matter_id, f"{v.matter.code} {v.name}")
                for v in matters_as_of([agency.pk], timezone.localdate())
                if v.category == MatterCategory.PENALTY
            ),
        ]


class FollowUpForm(StyledForm):
    on = forms.DateField(label="复查日期", widget=_DATE)
    note = forms.CharField(label="复查情况", widget=forms.Textarea(attrs={"rows": 2}))


class ConflictForm(StyledForm):
    kind = forms.ChoiceField(label="回避情形", choices=ConflictKind.choices)
    target = forms.IntegerField(label="检查对象编号（与区域二选一）", required=False)
    area = forms.CharField(label="区域", required=False, max_length=60)
    note = forms.CharField(label="说明", required=False, max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label="检查对象名录（XLSX）")
