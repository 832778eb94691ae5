from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from sanxiang.catalog.models import Matter
from sanxiang.directory.models import MatterCategory
from sanxiang.procedures.definitions import DEFINITIONS
from sanxiang.workbench.forms import StyledForm

from .models import AvLevel, EvidenceType, Label, MediaKind
from .services import AvRequirementData, RecordData


class UploadForm(StyledForm):
    """The metadata of an upload. The bytes do not come through this form: records.js sends
    them as the raw body of a PUT, streamed, with these fields in the query string."""

    title = forms.CharField(label="标题", max_length=200)
    evidence_type = forms.ChoiceField(label="证据种类", choices=EvidenceType.choices)
    media_kind = forms.ChoiceField(label="载体", choices=MediaKind.choices)
    label = forms.ChoiceField(
        label="密级标识",
        choices=Label.choices,
        initial=Label.INTERNAL,
        help_text="涉及国家秘密的材料不得上传本系统。",
    )
    description = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def record_data(self, case_id: int, original_name: str, claimed_sha256: str) -> RecordData:
        data = self.cleaned_data
        return RecordData(
            case_id=case_id,
            evidence_type=data["evidence_type"],
            media_kind=data["media_kind"],
            title=data["title"],
            label=data["label"],
            description=data["description"],
            original_name=original_name,
            claimed_sha256=claimed_sha256,
        )


class CaptureForm(UploadForm):
    """The field-capture page (移动执法): the media kind follows the button that took the
    photo or recording (the page sets it); photos and recordings are 视听资料 (第46条)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["media_kind"].widget = forms.HiddenInput()
        self.fields["evidence_type"].initial = EvidenceType.AUDIOVISUAL
        self.fields["title"].widget.attrs["autocomplete"] = "off"


class ReasonForm(StyledForm):
    reason = forms.CharField(
        label="调阅事由", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(StyledForm):
    note = forms.CharField(label="审批意见", required=False, max_length=500)


def stage_choices() -> list[tuple[str, str]]:
    """Every stage code of the procedure definitions, with the names it has in them."""
    names: dict[str, list[str]] = {}
    for definition in DEFINITIONS.values():
        for stage in definition.stages:
            label = f"{stage.label}（{definition.label}）"
            names.setdefault(stage.code, []).append(label)
    return [(code, f"{code}：" + "；".join(labels)) for code, labels in names.items()]


class AvRequirementForm(StyledForm):
    category = forms.ChoiceField(label="执法类别", choices=MatterCategory.choices)
    matter = forms.ModelChoiceField(
        label="执法事项",
        queryset=Matter.objects.none(),
        required=False,
        empty_label="该类别全部事项",
    )
    stage = forms.ChoiceField(label="环节", choices=())
    level = forms.ChoiceField(label="要求", choices=AvLevel.choices)
    scene = forms.CharField(label="记录情形", max_length=200)
    valid_from = forms.DateField(label="生效日期", initial=timezone.localdate)

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["matter"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        field.queryset = Matter.objects.filter(agency_id=agency_id).order_by("code")
        stage = self.fields["stage"]
        assert isinstance(stage, forms.ChoiceField)  # noqa: S101 - narrowing for mypy
        stage.choices = stage_choices()

    def data_object(self) -> AvRequirementData:
        data = self.cleaned_data
        matter = data["matter"]
        return AvRequirementData(
            category=data["category"],
            stage=data["stage"],
            level=data["level"],
            scene=data["scene"],
            valid_from=data["valid_from"],
            matter_id=matter.pk if matter else None,
        )
