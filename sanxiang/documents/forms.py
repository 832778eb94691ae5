"""The form of the agency's step-bound 文书 (``services.add_step_requirement`` validates)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from sanxiang.catalog.models import Matter
from sanxiang.workbench.forms import StyledForm

from .kinds import all_kinds
from .queries import ProcedureSteps, StepLine
from .services import StepRequirementData


def _step_code(step: StepLine) -> str:
    return f"{step.procedure}:{step.source}:{step.target}"


class StepRequirementForm(StyledForm):
    step = forms.ChoiceField(label="程序环节", choices=())
    kind = forms.ChoiceField(label="须先制发的文书", choices=())
    delivered = forms.BooleanField(label="并须送达（制发送达回证后方可离开该环节）", required=False)
    matter = forms.ModelChoiceField(
        label="执法事项", queryset=Matter.objects.none(), required=False, empty_label="全部事项"
    )
    basis = forms.CharField(label="本机关依据或理由", max_length=300)
    valid_from = forms.DateField(
        label="生效日期",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="不能早于今天：新增的要求不溯及已经办理的环节",
    )

    def __init__(
        self, *args: Any, agency_id: int, procedures: list[ProcedureSteps], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        step = self.fields["step"]
        assert isinstance(step, forms.ChoiceField)  # noqa: S101 - narrowing for mypy
        step.choices = [
            (
                p.label,
                [
                    (f"{s.procedure}:{s.source}:{s.target}", f"{s.label}（{s.stages}）")
                    for s in p.steps
                ],
            )
            for p in procedures
        ]
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)  # noqa: S101 - narrowing for mypy
        kind.choices = [(k.code, k.title) for k in all_kinds()]
        matter = self.fields["matter"]
        assert isinstance(matter, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        matter.queryset = Matter.objects.filter(agency_id=agency_id).order_by("code")
        # the date picker offers no day the service would refuse
        self.fields["valid_from"].widget.attrs["min"] = timezone.localdate().isoformat()

    def data_object(self) -> StepRequirementData:
        data = self.cleaned_data
        procedure, source, target = [*data["step"].split(":"), "", ""][:3]
        matter = data["matter"]
        return StepRequirementData(
            procedure=procedure,
            source=source,
            target=target,
            kind=data["kind"],
            basis=data["basis"],
            valid_from=data["valid_from"],
            delivered=bool(data["delivered"]),
            matter_id=matter.pk if matter else None,
        )
