from __future__ import annotations

from django import forms

from sanxiang.workbench.forms import StyledForm

from .models import (
    CorrectionOutcome,
    ExclusionKind,
    FactKind,
    FactOutcome,
    RuleCategory,
    WithdrawalKind,
)

_TEXT = forms.Textarea(attrs={"rows": 3})
# Staff choose among the reasons a person judges; the automatic ones are set by the system.
MANUAL_EXCLUSIONS = [
    (k, v)
    for k, v in ExclusionKind.choices
    if k not in {ExclusionKind.SUMMARY_PROCEDURE, ExclusionKind.WARNING_ONLY}
]


class ExcludeForm(StyledForm):
    kind = forms.ChoiceField(label="不予公示原因", choices=MANUAL_EXCLUSIONS)
    reason = forms.CharField(label="具体说明（保密审查意见）", widget=_TEXT, max_length=1000)


class WithdrawForm(StyledForm):
    reason_kind = forms.ChoiceField(label="撤回原因", choices=WithdrawalKind.choices)
    reason = forms.CharField(label="向公众说明的撤回理由", widget=_TEXT, max_length=1000)
    revoked_on = forms.DateField(
        label="决定被变更/撤销的日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RevocationForm(StyledForm):
    reason_kind = forms.ChoiceField(label="原因", choices=WithdrawalKind.choices)
    reason = forms.CharField(label="说明", widget=_TEXT, max_length=1000)
    revoked_on = forms.DateField(
        label="决定被变更/撤销的日期", widget=forms.DateInput(attrs={"type": "date"})
    )


class PostForm(StyledForm):
    window = forms.CharField(label="窗口", max_length=60)
    name = forms.CharField(label="姓名", max_length=60)
    position = forms.CharField(label="职务", max_length=60, required=False)
    duties = forms.CharField(label="岗位职责", widget=_TEXT)
    enforcement_kinds = forms.CharField(label="执法种类", max_length=200, required=False)
    sample_materials = forms.CharField(label="申请材料示范文本", widget=_TEXT, required=False)
    progress_query = forms.CharField(label="办理进度查询", max_length=200, required=False)
    consultation = forms.CharField(label="咨询服务", max_length=200, required=False)
    complaint = forms.CharField(label="投诉举报", max_length=200, required=False)
    is_active = forms.BooleanField(label="在用", required=False, initial=True)


class RuleForm(StyledForm):
    category = forms.ChoiceField(label="决定类别", choices=RuleCategory.choices)
    days = forms.IntegerField(label="公示时限（工作日）", min_value=1, max_value=60)
    publish_summary_procedure = forms.BooleanField(label="公示简易程序决定", required=False)
    publish_warning_only = forms.BooleanField(label="公示仅警告的决定", required=False)
    period_days = forms.IntegerField(label="公示期限（天）", min_value=1, max_value=3650)
    natural_person_period_days = forms.IntegerField(
        label="自然人公示期限（天）", min_value=1, max_value=3650
    )
    warn_days = forms.IntegerField(label="提前预警（工作日）", min_value=0, max_value=20)
    basis = forms.CharField(label="依据", max_length=200, required=False)


class NarrativeForm(StyledForm):
    narrative = forms.CharField(
        label="总体情况说明", widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )


class CorrectionForm(StyledForm):
    """A citizen's 纠错 report (the portal; no login)."""

    description = forms.CharField(
        label="哪里有误，正确的应当是什么",
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=5,
        max_length=2000,
    )
    contact = forms.CharField(
        label="联系方式（选填，仅用于答复，不公开）", required=False, max_length=100
    )


class AnswerForm(StyledForm):
    outcome = forms.ChoiceField(label="处理结果", choices=CorrectionOutcome.choices)
    answer = forms.CharField(label="给公众的答复", widget=_TEXT, max_length=2000)
    resolution_path = forms.CharField(
        label="更正后信息的页面地址（已更正时填写，如 /gongshi/shixiang/3/）",
        required=False,
        max_length=200,
    )
    resolution_seq = forms.IntegerField(
        label="更正所记入的账本序号（选填）", required=False, min_value=0
    )


class FactForm(StyledForm):
    """What the 年报 counts but no procedure records (report_facts.record_fact)."""

    case_number = forms.CharField(label="案件编号", max_length=60)
    kind = forms.ChoiceField(label="类别", choices=FactKind.choices)
    outcome = forms.ChoiceField(
        label="结果（复议、诉讼填写）", choices=[("", "—"), *FactOutcome.choices], required=False
    )
    occurred_on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", max_length=300, required=False)


class AddMaskForm(StyledForm):
    phrase = forms.CharField(label="要遮盖的文字（从原文复制）", max_length=200)
    as_name = forms.BooleanField(label="这是自然人姓名（显示为“某”）", required=False)
    reason = forms.CharField(label="理由", max_length=500)


class LiftMaskForm(StyledForm):
    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(label="解除理由", max_length=500)
