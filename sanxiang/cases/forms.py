from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from sanxiang.catalog.queries import matters_as_of
from sanxiang.directory.models import Agency, Officer
from sanxiang.lib.errors import ValidationFailed
from sanxiang.procedures.definitions import DEFINITIONS
from sanxiang.procedures.definitions import choices as procedure_choices
from sanxiang.workbench.forms import StyledForm

from .execution import TERMINATION_REASONS
from .execution_models import ExecutionKind
from .models import PENALTY_KINDS, CaseMember, CaseSource, Circumstance, DecisionKind, PartyKind
from .order import ANSWERS
from .party_models import AgentAuthority, AgentPower, WitnessRole
from .services import AgentData, DraftData, Limitation, PartyData, WitnessData

TERMINATION_CHOICES = list(TERMINATION_REASONS.items())

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpenCaseForm(StyledForm):
    matter = forms.ChoiceField(label="执法事项")
    procedure = forms.ChoiceField(label="程序", choices=procedure_choices())
    title = forms.CharField(label="案由", max_length=200)
    source = forms.ChoiceField(label="案件来源", choices=CaseSource.choices)
    facts = forms.CharField(label="基本案情", widget=forms.Textarea(attrs={"rows": 3}))
    opened_on = forms.DateField(label="立案（受理）日期", widget=_DATE)
    # 时效 (行政处罚法 第36条), asked of a penalty case.
    violation_on = forms.DateField(
        label="违法行为发生日期（连续或继续状态的，填终了日期）",
        widget=_DATE,
        required=False,
        help_text="行政处罚法 第36条：违法行为在二年内未被发现的，不再给予行政处罚。",
    )
    discovered_on = forms.DateField(
        label="发现日期", widget=_DATE, required=False, help_text="不填则为立案日期。"
    )
    limitation_years = forms.TypedChoiceField(
        label="追责时效",
        coerce=int,
        choices=[
            (2, "二年（行政处罚法 第36条）"),
            (5, "五年（涉及公民生命健康安全、金融安全且有危害后果）"),
        ],
        initial=2,
        required=False,
    )
    limitation_basis = forms.CharField(
        label="适用五年时效的事实或依据", max_length=200, required=False
    )
    team = forms.MultipleChoiceField(
        label="办案人员（至少两名持有效执法证件）", widget=forms.CheckboxSelectMultiple
    )
    party_kind = forms.ChoiceField(label="当事人类型", choices=PartyKind.choices)
    party_name = forms.CharField(label="当事人名称或姓名（个体工商户填字号名称）", max_length=120)
    party_id_number = forms.CharField(
        label="居民身份证号码（个体工商户填经营者的）", max_length=18, required=False
    )
    party_credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    party_legal_representative = forms.CharField(
        label="法定代表人／负责人／经营者", max_length=60, required=False
    )
    party_address = forms.CharField(label="住所", max_length=200, required=False)
    party_phone = forms.CharField(label="联系电话", max_length=40, required=False)
    # A second party (共同违法 …); more are added on the case page (当事人 → 增加当事人).
    party2_kind = forms.ChoiceField(
        label="第二当事人类型（可不填）", choices=[("", "—"), *PartyKind.choices], required=False
    )
    party2_name = forms.CharField(label="第二当事人名称或姓名", max_length=120, required=False)
    party2_id_number = forms.CharField(label="居民身份证号码", max_length=18, required=False)
    party2_credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    party2_legal_representative = forms.CharField(
        label="法定代表人／负责人／经营者", max_length=60, required=False
    )
    party2_address = forms.CharField(label="住所", max_length=200, required=False)
    party2_phone = forms.CharField(label="联系电话", max_length=40, required=False)

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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        definition = DEFINITIONS.get(data.get("procedure", ""))
        penalty = definition is not None and definition.category == "penalty"
        if penalty and not data.get("violation_on"):
            self.add_error(
                "violation_on", "处罚案件须填写违法行为发生（终了）日期（行政处罚法 第36条）。"
            )
        return data

    def limitation(self) -> Limitation | None:
        d = self.cleaned_data
        if not d.get("violation_on"):
            return None
        return Limitation(
            violation_on=d["violation_on"],
            discovered_on=d.get("discovered_on"),
            years=d.get("limitation_years") or 2,
            basis=d.get("limitation_basis") or "",
        )

    def party(self, prefix: str = "party") -> PartyData:
        d = self.cleaned_data
        return PartyData(
            kind=d[f"{prefix}_kind"],
            name=d[f"{prefix}_name"],
            id_number=d[f"{prefix}_id_number"],
            credit_code=d[f"{prefix}_credit_code"],
            legal_representative=d[f"{prefix}_legal_representative"],
            address=d[f"{prefix}_address"],
            phone=d[f"{prefix}_phone"],
        )

    def parties(self) -> list[PartyData]:
        second = self.cleaned_data.get("party2_name", "").strip()
        return [self.party(), *([self.party("party2")] if second else [])]


class PartyForm(StyledForm):
    """One party, as 增加当事人 and 修改 take it (the service checks identities by kind)."""

    kind = forms.ChoiceField(label="当事人类型", choices=PartyKind.choices)
    name = forms.CharField(label="名称或姓名（个体工商户填字号名称）", max_length=120)
    id_number = forms.CharField(
        label="居民身份证号码（个体工商户填经营者的）", max_length=18, required=False
    )
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    legal_representative = forms.CharField(
        label="法定代表人（法人）／负责人（其他组织）／经营者（个体工商户）",
        max_length=60,
        required=False,
    )
    address = forms.CharField(
        label="住所或住址（个体工商户填经营场所）", max_length=200, required=False
    )
    phone = forms.CharField(label="联系电话", max_length=40, required=False)
    correction_reason = forms.CharField(
        label="更正理由（已制发的文书载明该当事人时必填，作为更正记录登记）",
        max_length=200,
        required=False,
    )

    def data_of(self) -> PartyData:
        d = self.cleaned_data
        return PartyData(
            kind=d["kind"],
            name=d["name"],
            id_number=d["id_number"],
            credit_code=d["credit_code"],
            legal_representative=d["legal_representative"],
            address=d["address"],
            phone=d["phone"],
        )


class AgentForm(StyledForm):
    name = forms.CharField(label="委托代理人姓名", max_length=60)
    id_number = forms.CharField(label="居民身份证号码", max_length=18)
    phone = forms.CharField(label="联系电话", max_length=40, required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)
    relation = forms.CharField(label="与当事人关系（律师、近亲属、工作人员等）", max_length=60)
    authority = forms.ChoiceField(label="代理权限", choices=AgentAuthority.choices)
    powers = forms.MultipleChoiceField(
        label="特别授权事项（特别授权时勾选，须与授权委托书一致）",
        choices=AgentPower.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    letter_record = forms.TypedChoiceField(
        label="授权委托书（已上传的证据记录）", coerce=int, required=False, empty_value=None
    )
    letter_reference = forms.CharField(
        label="或：纸质授权委托书的文书编号或卷内位置", max_length=200, required=False
    )
    letter_dated_on = forms.DateField(label="授权委托书日期", widget=_DATE)
    valid_from = forms.DateField(label="代理期限自", widget=_DATE)
    valid_until = forms.DateField(
        label="代理期限至（不填为本案办结）", widget=_DATE, required=False
    )

    def __init__(self, *args: Any, records: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["letter_record"].choices = [("", "—"), *records]  # type: ignore[attr-defined]
        today = timezone.localdate()
        self.fields["letter_dated_on"].initial = today
        self.fields["valid_from"].initial = today

    def data_of(self) -> AgentData:
        d = self.cleaned_data
        return AgentData(
            name=d["name"],
            id_number=d["id_number"],
            phone=d["phone"],
            address=d["address"],
            relation=d["relation"],
            authority=d["authority"],
            powers=tuple(d["powers"]),
            letter_record_id=d["letter_record"],
            letter_reference=d["letter_reference"],
            letter_dated_on=d["letter_dated_on"],
            valid_from=d["valid_from"],
            valid_until=d["valid_until"],
        )


class WithdrawAgentForm(StyledForm):
    on = forms.DateField(label="解除日期", widget=_DATE)
    reason = forms.CharField(label="解除理由", max_length=200)


class WitnessForm(StyledForm):
    role = forms.ChoiceField(label="身份", choices=WitnessRole.choices)
    name = forms.CharField(label="姓名", max_length=60)
    id_number = forms.CharField(label="居民身份证号码", max_length=18, required=False)
    phone = forms.CharField(label="联系方式", max_length=40, required=False)
    address = forms.CharField(label="住址或工作单位", max_length=200, required=False)
    witnessed = forms.CharField(label="见证或证明的事项", widget=forms.Textarea(attrs={"rows": 2}))

    def data_of(self) -> WitnessData:
        d = self.cleaned_data
        return WitnessData(
            role=d["role"],
            name=d["name"],
            witnessed=d["witnessed"],
            id_number=d["id_number"],
            phone=d["phone"],
            address=d["address"],
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


class ClosingRequestForm(forms.Form):
    """报请结案 (``expected_stage`` guards a stale page) and the head's 退回 (``note``: why)."""

    expected_stage = forms.CharField(max_length=32, required=False)
    note = forms.CharField(max_length=500, required=False)


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
    penalty_kinds = forms.MultipleChoiceField(
        label="可给予的处罚种类（按事项罚则，不选为不限）",
        choices=[(k.value, k.label) for k in PENALTY_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = matters_as_of([agency.pk], timezone.localdate()).filter(category="penalty")
        self.fields["matter"].choices = [  # type: ignore[attr-defined]
            (v.matter_id, f"{v.matter.code} {v.name}") for v in versions
        ]


# --- execution (cases/execution.py) ----------------------------------------------------------


class PaymentForm(StyledForm):
    receipt_number = forms.CharField(label="缴款书编号", max_length=60)
    # Text: the service parses money exactly and says what is wrong in Chinese.
    amount = forms.CharField(label="缴款金额（元）", max_length=20)
    paid_on = forms.DateField(label="缴款日期", widget=_DATE)
    note = forms.CharField(label="备注", max_length=200, required=False)


class ArrangementForm(StyledForm):
    kind = forms.ChoiceField(
        label="批准事项",
        choices=[(k.value, k.label) for k in (ExecutionKind.DEFERRAL, ExecutionKind.INSTALMENTS)],
    )
    on = forms.DateField(label="批准日期", widget=_DATE)
    due_on = forms.DateField(label="延期至", widget=_DATE, required=False)
    instalments = forms.CharField(
        label="分期计划（每行：日期 金额）",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2027-01-15 2500\n2027-02-15 2500"}),
        required=False,
    )
    note = forms.CharField(label="当事人申请及经济困难情况", max_length=500)

    def plan(self) -> list[tuple[date, str]]:
        rows = []
        for line in (self.cleaned_data.get("instalments") or "").splitlines():
            parts = line.split()
            if not parts:
                continue
            try:
                rows.append((date.fromisoformat(parts[0]), parts[1] if len(parts) > 1 else ""))
            except ValueError:
                raise ValidationFailed(
                    f"分期计划“{line.strip()}”的日期格式应为 年-月-日。", field="instalments"
                ) from None
        return rows


class EnforcementForm(StyledForm):
    step = forms.ChoiceField(
        label="事项",
        choices=[
            (ExecutionKind.ENFORCEMENT_APPLIED.value, ExecutionKind.ENFORCEMENT_APPLIED.label),
            (ExecutionKind.ENFORCEMENT_CONCLUDED.value, ExecutionKind.ENFORCEMENT_CONCLUDED.label),
        ],
    )
    on = forms.DateField(label="日期", widget=_DATE)
    note = forms.CharField(label="说明（法院、文书文号）", max_length=500, required=False)


class TerminationForm(StyledForm):
    reason = forms.ChoiceField(label="终结事由（行政强制法 第40条）", choices=TERMINATION_CHOICES)
    on = forms.DateField(label="终结日期", widget=_DATE)
    note = forms.CharField(label="事实和证明材料", max_length=500)
