from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from sanxiang.catalog.queries import matters_as_of
from sanxiang.directory.models import Agency, Officer
from sanxiang.procedures.definitions import DEFINITIONS
from sanxiang.procedures.definitions import choices as procedure_choices
from sanxiang.workbench.forms import StyledForm

from .models import PENALTY_KINDS, CaseMember, CaseSource, Circumstance, DecisionKind, PartyKind
from .order import ANSWERS
from .services import DraftData, PartyData

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpenCaseForm(StyledForm):
    matter = forms.ChoiceField(label="执法事项")
    procedure = forms.ChoiceField(label="程序", choices=procedure_choices())
    title = forms.CharField(label="案由", max_length=200)
    source = forms.ChoiceField(label="案件来源", choices=CaseSource.choices)
    facts = forms.CharField(label="基本案情", widget=forms.Textarea(attrs={"rows": 3}))
    opened_on = forms.DateField(label="立案（受理）日期", widget=_DATE)
    team = forms.MultipleChoiceField(
        label="办案人员（至少两名持有效执法证件）", widget=forms.CheckboxSelectMultiple
    )
    party_kind = forms.ChoiceField(label="当事人类型", choices=PartyKind.choices)
    party_name = forms.CharField(label="当事人名称或姓名", max_length=120)
    party_id_number = forms.CharField(label="居民身份证号码", max_length=18, required=False)
    party_credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    party_legal_representative = forms.CharField(label="法定代表人", max_length=60, required=False)
    party_address = forms.CharField(label="住所", max_length=200, required=False)
    party_phone = forms.CharField(label="联系电话", max_length=40, required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["opened_on"].initial = today
        versions = matters_as_of([agency.pk], today)
        self.fields["matter"].choices = [  # type: ignore[attr-defined]
            (v.matter_id, f"{v.matter.code} {v.name}（{v.category_label}）") for v in versions
        ]
        officers = Officer.objects.filter(agency_id__in=Agency.subtree_ids({agency.pk}))
        self.fields["team"].choices = [  # type: ignore[attr-defined]
            (o.pk, f"{o.name}（{o.certificate_no}）") for o in officers.filter(is_reviewer=False)
        ]

    def party(self) -> PartyData:
        d = self.cleaned_data
        return PartyData(
            kind=d["party_kind"],
            name=d["party_name"],
            id_number=d["party_id_number"],
            credit_code=d["party_credit_code"],
            legal_representative=d["party_legal_representative"],
            address=d["party_address"],
            phone=d["party_phone"],
        )


class DraftForm(StyledForm):
    kind = forms.ChoiceField(label="决定种类", choices=DecisionKind.choices)
    additional_kinds = forms.MultipleChoiceField(
        label="并处（行政处罚法第九条，可多选）",
        choices=[(k.value, k.label) for k in PENALTY_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    circumstance = forms.ChoiceField(
        label="违法情节", choices=[("", "—"), *Circumstance.choices], required=False
    )
    # Text, not DecimalField: the service parses money and says what is wrong in Chinese.
    fine_amount = forms.CharField(label="罚款金额（元）", max_length=20, required=False)
    confiscation_value = forms.CharField(label="没收金额（元）", max_length=20, required=False)
    violated_provision = forms.CharField(
        label="违反的条款",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=(
            "当事人违反的法律、法规、规章条款，如《宗教事务条例》第四十一条（行政处罚法 第59条）。"
        ),
    )
    legal_basis = forms.CharField(
        label="处罚依据",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="作出决定适用的条款，如《宗教事务条例》第七十一条。",
    )
    outside_reason = forms.CharField(
        label="超出裁量基准的理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="罚款超出所选情节的裁量基准时必须填写，并将提交法制审核。",
    )
    text = forms.CharField(
        label="决定正文", widget=forms.Textarea(attrs={"rows": 6}), required=False
    )

    def to_data(self) -> DraftData:
        data = dict(self.cleaned_data)
        data["additional_kinds"] = tuple(data.get("additional_kinds") or ())
        return DraftData(**data)


class TransitionForm(forms.Form):
    target = forms.CharField(max_length=32)
    expected_stage = forms.CharField(max_length=32)
    note = forms.CharField(max_length=500, required=False)
    on = forms.DateField(required=False)


class DefenceForm(StyledForm):
    kind = forms.ChoiceField(label="记录事项", choices=list(ANSWERS.items()))
    on = forms.DateField(label="日期", widget=_DATE, required=False)
    note = forms.CharField(
        label="说明（放弃书的签收情况、陈述要点）", max_length=500, required=False
    )


class PauseForm(StyledForm):
    reason = forms.CharField(label="暂停理由", max_length=200)
    on = forms.DateField(label="暂停日期", widget=_DATE)


class ResumeForm(StyledForm):
    on = forms.DateField(label="恢复日期", widget=_DATE)


class RecusalForm(StyledForm):
    member = forms.TypedChoiceField(label="申请回避的办案人员", coerce=int)
    requested_by = forms.CharField(label="申请人", max_length=120)
    reason = forms.CharField(label="回避理由", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, members: list[CaseMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.officer.name) for m in members]  # type: ignore[attr-defined]


class RecusalDecisionForm(StyledForm):
    grant = forms.TypedChoiceField(
        label="决定",
        choices=[("1", "决定回避"), ("0", "不予回避")],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label="理由", max_length=500, required=False)


class DeadlineSettingForm(StyledForm):
    key = forms.ChoiceField(label="时限")
    matter = forms.ChoiceField(label="适用事项", required=False)
    days = forms.IntegerField(label="期限", min_value=1, max_value=3650)
    unit = forms.ChoiceField(label="单位", choices=[("calendar", "日"), ("working", "工作日")])
    warn_days = forms.IntegerField(label="提前预警（工作日）", min_value=0, max_value=60, initial=3)
    note = forms.CharField(label="依据或说明", max_length=200, required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [  # type: ignore[attr-defined]
            (f"{d.code}.{r.code}", f"{d.label}：{r.label}（默认{r.days}{r.unit_label}）")
            for d in DEFINITIONS.values()
            for r in d.deadlines
        ]
        versions = matters_as_of([agency.pk], timezone.localdate())
        self.fields["matter"].choices = [("", "本机关全部事项")] + [  # type: ignore[attr-defined]
            (v.matter_id, f"{v.matter.code} {v.name}") for v in versions
        ]


class BenchmarkForm(StyledForm):
    matter = forms.ChoiceField(label="处罚事项")
    circumstance = forms.ChoiceField(label="违法情节", choices=Circumstance.choices)
    description = forms.CharField(label="情节描述", max_length=500)
    fine_min = forms.CharField(label="罚款下限（元）", max_length=20)
    fine_max = forms.CharField(label="罚款上限（元）", max_length=20)
    first_offence_exempt = forms.BooleanField(label="适用首违不罚", required=False)
    lighter_factors = forms.CharField(label="从轻情形", max_length=500, required=False)
    reduced_factors = forms.CharField(label="减轻情形", max_length=500, required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = matters_as_of([agency.pk], timezone.localdate()).filter(category="penalty")
        self.fields["matter"].choices = [  # type: ignore[attr-defined]
            (v.matter_id, f"{v.matter.code} {v.name}") for v in versions
        ]
