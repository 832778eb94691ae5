"""Who else a case names besides its parties: 委托代理人, witnesses, and recorded corrections
of a party after a document named it (issue 10, item 4).

Imported by ``models.py`` (Django finds the models there). Every row is written by
``services/parties.py`` with its ledger entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class AgentAuthority(models.TextChoices):
    GENERAL = "general", "一般代理"
    SPECIAL = "special", "特别授权"


class AgentPower(models.TextChoices):
    """What a 特别授权 may list. 一般代理 covers the procedural acts (提交材料、陈述意见) only;
    acts that dispose of the party's rights need the power named in the 授权委托书 (the
    practice of 行政诉讼法 第31条 and 民事诉讼法 第62条, followed by 行政处罚 procedure)."""

    ADMIT = "admit", "代为承认违法事实"
    WAIVE = "waive", "代为放弃陈述、申辩和听证权利"
    HEARING = "hearing", "代为申请、参加听证"
    RECEIVE = "receive", "代为签收法律文书"
    SIGN = "sign", "代为签署笔录"
    PAY = "pay", "代为缴纳罚款"


class PartyAgent(models.Model):
    """A 委托代理人 of one party, with the 授权委托书 that makes them one.

    The letter is a record of the case's evidence store (``letter_record_id`` and its SHA-256;
    ``cases`` names the record by id, as the records app sits above it) or a reference to a
    paper document (``letter_reference``); one of the two is required. Withdrawing an agent
    sets ``withdrawn_on``: the row stays, so the history shows who acted when.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="agents")
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="agents")
    name = models.CharField("姓名", max_length=60)
    id_number = models.CharField("居民身份证号码", max_length=18)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    relation = models.CharField("与当事人关系", max_length=60)
    authority = models.CharField("代理权限", max_length=16, choices=AgentAuthority.choices)
    # The powers of a 特别授权 as ",a,b," (codes of AgentPower); "" for 一般代理.
    powers = models.CharField("特别授权事项", max_length=200, blank=True, default="")
    letter_record_id = models.PositiveIntegerField("授权委托书（证据记录）", null=True, blank=True)
    letter_sha256 = models.CharField("授权委托书摘要", max_length=64, blank=True)
    letter_reference = models.CharField(
        "授权委托书（文书编号或卷内位置）", max_length=200, blank=True
    )
    letter_dated_on = models.DateField("授权委托书日期")
    valid_from = models.DateField("代理期限自")
    valid_until = models.DateField("代理期限至", null=True, blank=True)
    withdrawn_on = models.DateField("解除委托日期", null=True, blank=True)
    withdrawn_reason = models.CharField("解除理由", max_length=200, blank=True)
    added_at = models.DateTimeField("登记时间")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "委托代理人"
        verbose_name_plural = "委托代理人"
        ordering = ["party_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(letter_record_id__isnull=False) | ~Q(letter_reference=""),
                name="agent_has_letter",
            ),
            models.CheckConstraint(
                condition=Q(authority="general", powers="")
                | (Q(authority="special") & ~Q(powers="")),
                name="agent_powers_match_authority",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="agent_valid_until_after_from",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | ~Q(withdrawn_reason=""),
                name="agent_withdrawal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_authority_display()}）"

    @property
    def power_codes(self) -> list[str]:
        return [p for p in self.powers.split(",") if p]

    @property
    def power_labels(self) -> list[str]:
        return [str(AgentPower(p).label) for p in self.power_codes if p in AgentPower.values]

    @property
    def authority_text(self) -> str:
        """一般代理, or 特别授权（…listed powers…）: how a document states the authority."""
        if self.authority == AgentAuthority.SPECIAL:
            return f"特别授权（{'、'.join(self.power_labels)}）"
        return str(AgentAuthority.GENERAL.label)


class WitnessRole(models.TextChoices):
    WITNESS = "witness", "证人"  # 行政处罚法 第46条: 证人证言
    OBSERVER = "observer", "见证人"  # 行政强制法 第18条(七), 留置送达: 见证人


class Witness(models.Model):
    """A 证人 or 见证人 of a case, for 笔录 and 送达 to name (query: ``queries.witnesses_of``)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="witnesses")
    role = models.CharField("身份", max_length=16, choices=WitnessRole.choices)
    name = models.CharField("姓名", max_length=60)
    id_number = models.CharField("居民身份证号码", max_length=18, blank=True)
    phone = models.CharField("联系方式", max_length=40, blank=True)
    address = models.CharField("住址或工作单位", max_length=200, blank=True)
    witnessed = models.TextField("见证或证明的事项")
    added_at = models.DateTimeField("登记时间")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "证人或见证人"
        verbose_name_plural = "证人或见证人"
        ordering = ["case_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=WitnessRole.values), name="witness_role_valid"
            ),
            models.CheckConstraint(condition=~Q(witnessed=""), name="witness_says_what"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class PartyCorrection(models.Model):
    """A change of a party after an issued document named it: never silent, always recorded
    with its reason (the document itself stays as issued; a new one is issued if needed)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="corrections")
    changes = models.JSONField("更正内容")  # {field: [before, after]}
    reason = models.CharField("更正理由", max_length=200)
    corrected_at = models.DateTimeField("更正时间")
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="更正人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "当事人信息更正"
        verbose_name_plural = "当事人信息更正"
        ordering = ["party_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="party_correction_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.party_id} {self.reason}"
