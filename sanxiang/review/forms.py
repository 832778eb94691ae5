from __future__ import annotations

from typing import Any

from django import forms

from sanxiang.directory.models import Officer
from sanxiang.workbench.forms import StyledForm

from . import checklist
from .models import DiscussionOutcome, MajorReason
from .services import CatalogueData

_TEXT = forms.Textarea(attrs={"rows": 3})


class MaterialsForm(StyledForm):
    case_file = forms.CharField(label="案卷材料（截至目前）", widget=_TEXT, required=False)
    evidence_list = forms.CharField(label="证据清单", widget=_TEXT, required=False)
    discretion_reasoning = forms.CharField(label="裁量说明", widget=_TEXT, required=False)
    hearing_record = forms.CharField(
        label="听证笔录", widget=_TEXT, required=False, help_text="经过听证的案件必须报送"
    )
    response = forms.CharField(label="修改说明（重新报审时填写）", widget=_TEXT, required=False)


class ReviewForm(StyledForm):
    """The nine points, each passed or with a written problem, and the opinion."""

    agree = forms.ChoiceField(
        label="审核结论",
        choices=[("yes", "同意"), ("no", "存在问题，需修改后重新报审")],
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(label="审核意见", widget=_TEXT)
    required_changes = forms.CharField(label="需修改的内容", widget=_TEXT, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for point in checklist.POINTS:
            self.fields[f"{point.code}_passed"] = forms.ChoiceField(
                label=point.label,
                choices=[("yes", "符合"), ("no", "存在问题")],
                widget=forms.RadioSelect,
                initial="yes",
            )
            self.fields[f"{point.code}_problem"] = forms.CharField(
                label=f"{point.label}：存在的问题",
                required=False,
                max_length=2000,
                widget=forms.TextInput(
                    attrs={
                        "class": "form-control form-control-sm",
                        "placeholder": "存在的问题（未通过时必填）",
                    }
                ),
            )
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"

    def points(self) -> list[tuple[checklist.Point, Any, Any]]:
        return [(p, self[f"{p.code}_passed"], self[f"{p.code}_problem"]) for p in checklist.POINTS]

    def marks(self) -> list[checklist.Mark]:
        d = self.cleaned_data
        return [
            checklist.Mark(c, d[f"{c}_passed"] == "yes", d.get(f"{c}_problem", ""))
            for c in checklist.CODES
        ]


class AssignForm(StyledForm):
    reviewer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="审核人员", queryset=Officer.objects.none()
    )
    reason = forms.CharField(label="改派理由", required=False, max_length=200)

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers  # type: ignore[attr-defined]


class ReasonForm(StyledForm):
    reason = forms.CharField(label="理由", max_length=200)


class FlagForm(StyledForm):
    reason = forms.ChoiceField(label="认定理由", choices=MajorReason.choices)
    note = forms.CharField(label="具体情况", widget=_TEXT)


class DiscussionForm(StyledForm):
    held_on = forms.DateField(label="讨论日期", widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.CharField(label="参加人员（以顿号或换行分隔）", widget=_TEXT)
    outcome = forms.ChoiceField(label="讨论结论", choices=DiscussionOutcome.choices)
    minutes = forms.CharField(label="讨论记录", widget=forms.Textarea(attrs={"rows": 5}))

    def attendee_list(self) -> list[str]:
        raw = self.cleaned_data["attendees"].replace("\n", "、").replace(",", "、")
        return [a.strip() for a in raw.replace("，", "、").split("、") if a.strip()]


class CaseDiscussionForm(DiscussionForm):
    """The heads' 集体讨论 of a case (第57条第2款): decide, or do not (h10a item 5)."""

    outcome = forms.ChoiceField(
        label="讨论结论",
        choices=[
            (o.value, o.label) for o in (DiscussionOutcome.DECIDE, DiscussionOutcome.NO_DECISION)
        ],
    )
    minutes = forms.CharField(
        label="讨论情况（各参加人员意见）", widget=forms.Textarea(attrs={"rows": 4})
    )


class CatalogueForm(StyledForm):
    # Text fields on purpose: the service refuses a negative or non-numeric threshold itself.
    fine_natural = forms.CharField(label="罚款金额：个人（元，达到即审核）")
    fine_organisation = forms.CharField(label="罚款金额：单位（元，达到即审核）")
    confiscation_value = forms.CharField(label="没收违法所得、非法财物价值（元，达到即审核）")
    licence_revocation = forms.BooleanField(label="暂扣或者吊销许可证件", required=False)
    suspension = forms.BooleanField(label="责令停产停业、责令关闭", required=False)
    qualification_lowering = forms.BooleanField(label="降低资质等级", required=False)
    hearing_held = forms.BooleanField(label="经过听证程序", required=False)
    outside_benchmark = forms.BooleanField(label="超出裁量基准范围", required=False)
    licence_refusal = forms.BooleanField(label="不予行政许可", required=False)
    licence_withdrawal = forms.BooleanField(label="撤回行政许可", required=False)
    seizure_auction = forms.BooleanField(label="拍卖查封扣押的财物", required=False)
    review_days = forms.IntegerField(label="审核时限（工作日）", min_value=1)
    extension_days = forms.IntegerField(label="经负责人批准可延长（工作日）", min_value=0)
    warn_days = forms.IntegerField(label="到期前预警（工作日）", min_value=0)
    valid_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="修订说明", max_length=200, required=False)

    def data_object(self) -> CatalogueData:
        d = dict(self.cleaned_data)
        d.pop("valid_from")
        d.pop("note")
        return CatalogueData(**d)
