"""Structured 笔录 (issue 10, item 3): entered on screen, signed on the tablet, then sealed.

A 笔录 is a draft its officers edit until it is signed; once every person present has signed
(or refused, 拒签, before a witness who signs) it is sealed: issued as a document of its kind
(``documents.IssuedDocument``) and never changed again. Rows of a sealed 笔录 are guarded twice:
the services refuse (``record_signed``) and database triggers refuse an UPDATE or DELETE
(migration 0002, ``triggers.py``); the ledger's ``transcript.sealed`` entry holds the hash of the
sealed content, so a row changed with the triggers dropped is named by ``verify_ledger``.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SEALED = "sealed", "已签署封存"


class Role(models.TextChoices):
    """Who a person present is. Officers are ``OFFICER``; the others are typed in or a party."""

    OFFICER = "officer", "执法人员"
    INTERVIEWEE = "interviewee", "被询问人"
    INSPECTED = "inspected", "被检查人"
    PARTY = "party", "当事人"
    AGENT = "agent", "委托代理人"
    WITNESS = "witness", "见证人"
    INTERPRETER = "interpreter", "翻译人员"
    PRESENT = "present", "在场人"


class Transcript(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="transcripts"
    )
    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    # A 笔录 code of documents/kinds.py (TRANSCRIPT_KINDS in forms): checked by the services.
    kind = models.CharField("笔录种类", max_length=32)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=200)
    # Codes of rights.RIGHTS told to the persons, each with its article of 行政处罚法.
    rights = models.JSONField("告知事项", default=list)
    # 询问: [{"q": "…", "a": "…"}, …]
    questions = models.JSONField("问答", default=list)
    # 检查 / 现场 / 陈述申辩 / 听证: what was found or said, free text.
    findings = models.TextField("记录内容", blank=True)
    recorder = models.ForeignKey(
        "directory.Officer", verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="制作人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间")
    sealed_at = models.DateTimeField("封存时间", null=True, blank=True)
    sealed_sha256 = models.CharField("封存摘要", max_length=64, blank=True)
    document = models.OneToOneField(
        "documents.IssuedDocument",
        verbose_name="制发的文书",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transcript",
    )

    class Meta:
        verbose_name = "笔录"
        verbose_name_plural = "笔录"
        ordering = ["case_id", "started_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="transcript_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__gte=F("started_at")), name="transcript_ends_after_start"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=Status.DRAFT, sealed_sha256="", document__isnull=True)
                    | (
                        Q(status=Status.SEALED, document__isnull=False, sealed_at__isnull=False)
                        & ~Q(sealed_sha256="")
                    )
                ),
                name="transcript_sealed_has_document",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}（案件{self.case_id}）#{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A sealed 笔录 is never saved again (the triggers refuse it in the database as well).
        if self.pk and type(self).objects.filter(pk=self.pk, status=Status.SEALED).exists():
            raise RuntimeError("a sealed transcript is immutable")
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        from sanxiang.documents.kinds import get_kind

        kind = get_kind(self.kind)
        return kind.title if kind else self.kind

    @property
    def is_sealed(self) -> bool:
        return self.status == Status.SEALED


class Participant(models.Model):
    """A person present: an officer of the team, a party of the case, or someone typed in."""

    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="participants"
    )
    position = models.PositiveSmallIntegerField("顺序")
    role = models.CharField("身份", max_length=16, choices=Role.choices)
    officer = models.ForeignKey(
        "directory.Officer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A party is referenced (never changed from here); its name and number are copied so the
    # 笔录 says what was true when it was taken.
    party = models.ForeignKey(
        "cases.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField("姓名", max_length=120)
    # 身份证号码 of a person; 执法证件编号 of an officer.
    id_number = models.CharField("证件号码", max_length=40, blank=True)
    signature_sha256 = models.CharField("签名摘要", max_length=64, blank=True)
    signature_name = models.CharField("签名图片", max_length=200, blank=True)
    signed_at = models.DateTimeField("签名时间", null=True, blank=True)
    refused = models.BooleanField("拒签", default=False)
    refusal_witness = models.ForeignKey(
        "self",
        verbose_name="拒签见证人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "笔录在场人员"
        verbose_name_plural = "笔录在场人员"
        ordering = ["transcript_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "position"], name="transcript_participant_position"
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="transcript_participant_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(role="officer", officer__isnull=False)
                | (~Q(role="officer") & Q(officer__isnull=True)),
                name="transcript_officer_iff_role",
            ),
            # Signed xor refused (with a witness), or neither yet.
            models.CheckConstraint(
                condition=Q(refused=False, refusal_witness__isnull=True)
                | Q(refused=True, refusal_witness__isnull=False, signature_sha256=""),
                name="transcript_refusal_has_witness",
            ),
            models.CheckConstraint(
                condition=Q(signature_sha256="", signed_at__isnull=True)
                | (~Q(signature_sha256="") & Q(signed_at__isnull=False)),
                name="transcript_signature_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    @property
    def is_done(self) -> bool:
        return bool(self.signature_sha256) or self.refused
