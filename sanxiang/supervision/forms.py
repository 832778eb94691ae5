from __future__ import annotations

from typing import Any

from django import forms

from sanxiang.workbench.forms import StyledForm

from .notices import NoticeData


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the pattern of Django's file-upload documentation)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return single(data, initial)


class NoticeForm(StyledForm):
    """A 督办通知: to which supervised agency, on which case (optional), what, by when."""

    agency = forms.TypedChoiceField(label="被督办单位", coerce=int)
    case = forms.IntegerField(label="案件", required=False, widget=forms.HiddenInput)
    subject = forms.CharField(label="督办事项", max_length=200)
    finding = forms.CharField(label="发现的问题", widget=forms.Textarea(attrs={"rows": 3}))
    requirement = forms.CharField(label="整改要求", widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label="整改期限", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, agencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agencies  # type: ignore[attr-defined]

    def data_object(self) -> NoticeData:
        d = self.cleaned_data
        return NoticeData(
            agency_id=d["agency"],
            case_id=d.get("case"),
            subject=d["subject"],
            finding=d["finding"],
            requirement=d["requirement"],
            due_on=d["due_on"],
        )


class AnswerForm(StyledForm):
    text = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(label="整改材料（可多选）", required=False)


class CloseForm(StyledForm):
    note = forms.CharField(label="办结意见", widget=forms.Textarea(attrs={"rows": 2}))
