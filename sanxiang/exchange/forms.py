from __future__ import annotations

from django import forms

from sanxiang.workbench.forms import StyledForm

from .models import EventType, Scope, System


class ClientForm(StyledForm):
    name = forms.CharField(label="名称", max_length=120)
    system = forms.ChoiceField(label="对接系统", choices=System.choices)
    scopes = forms.MultipleChoiceField(
        label="权限范围", choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    agency_ids = forms.TypedMultipleChoiceField(
        label="可访问的执法主体", coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, agencies: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency_ids"].choices = agencies  # type: ignore[attr-defined]


class EndpointForm(StyledForm):
    name = forms.CharField(label="名称", max_length=120)
    system = forms.ChoiceField(label="对接系统", choices=System.choices)
    url = forms.URLField(label="接收地址", max_length=400, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label="推送事件", choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )
    agency_ids = forms.TypedMultipleChoiceField(
        label="只推送这些执法主体（不选为全部）",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, agencies: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency_ids"].choices = agencies  # type: ignore[attr-defined]


class HandleForm(StyledForm):
    note = forms.CharField(
        label="处理意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
