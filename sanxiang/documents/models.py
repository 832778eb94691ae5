"""文书 issued in a case and the counters behind their 文号.

An issued document is write-once: its files are stored under their SHA-256 and the ledger entry
``document.issued`` holds the hashes, so a changed file or row is detectable.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q


class NumberSequence(models.Model):
    """The last 文号 sequence number issued per agency, year and kind (gap-free counter)."""

    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField("年度")
    # The series: a document kind, or another numbered series such as the 法制审核意见书's
    # (review.services.OPINION_NUMBER_KIND). No CHECK on the codes: a new kind or series is
    # data, not a schema change (issue 10, item 1).
    kind = models.CharField("文号序列", max_length=32)
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = "文号序列"
        verbose_name_plural = "文号序列"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "kind"], name="document_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}/{self.kind}: {self.last}"


class IssuedDocument(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="documents"
    )
    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    # A code of ``kinds.py``, checked by ``issue_document``: no choices and no CHECK, so a new
    # kind (or a new procedure's document) is data, not a schema change (issue 10, item 1).
    kind = models.CharField("文书种类", max_length=32)
    title = models.CharField("文书名称", max_length=60)
    single = models.BooleanField("每案限一份", default=False)
    year = models.PositiveIntegerField("年度")
    seq = models.PositiveIntegerField("序号", null=True, blank=True)
    number = models.CharField("文号", max_length=60, blank=True, db_index=True)
    issued_at = models.DateTimeField("制发时间")
    issued_by = models.ForeignKey(
        "accounts.User", verbose_name="制发人", on_delete=models.PROTECT, related_name="+"
    )
    content_sha256 = models.CharField("内容摘要", max_length=64)
    pdf_name = models.CharField("PDF文件", max_length=200)
    pdf_sha256 = models.CharField("PDF摘要", max_length=64)
    pdf_size = models.PositiveIntegerField("PDF大小")
    docx_name = models.CharField("DOCX文件", max_length=200)
    docx_sha256 = models.CharField("DOCX摘要", max_length=64)
    docx_size = models.PositiveIntegerField("DOCX大小")

    class Meta:
        verbose_name = "已制发文书"
        verbose_name_plural = "已制发文书"
        ordering = ["case_id", "issued_at", "pk"]
        constraints = [
            # 文号 unique per agency, year and kind (the counter makes them gap-free too).
            models.UniqueConstraint(
                fields=["agency", "kind", "year", "seq"],
                condition=Q(seq__isnull=False),
                name="document_number_unique",
            ),
            models.UniqueConstraint(
                fields=["case", "kind"], condition=Q(single=True), name="document_single_per_case"
            ),
            models.CheckConstraint(
                condition=(Q(seq__isnull=True) & Q(number="")) | (Q(seq__gte=1) & ~Q(number="")),
                name="document_number_iff_seq",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.title}（案件{self.case_id}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Write-once: an issued document is never changed, only superseded by a new one.
        if not self._state.adding:
            raise RuntimeError("IssuedDocument is write-once")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("IssuedDocument is write-once")


class StepRequirement(models.Model):
    """An agency's own step-bound 文书 (issue 10, item 2): besides what the procedure definition
    requires (``Step.requires``, the law's), this agency requires a document of ``kind`` issued
    (and with ``delivered`` delivered) before the step ``source → target`` of ``procedure`` is
    taken, for one matter or every matter. An agency may only add (stricter); the law's cannot be
    removed. Rows are dated, never edited: ending one sets ``valid_to`` (the list keeps its
    history), the same shape as the 音像记录事项清单 (``records.AvRequirement``)."""

    agency = models.ForeignKey(
        "directory.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.CharField("程序", max_length=32)
    source = models.CharField("环节（自）", max_length=32)
    target = models.CharField("环节（至）", max_length=32)
    kind = models.CharField("文书种类", max_length=32)
    delivered = models.BooleanField("须送达", default=False)
    matter = models.ForeignKey(
        "catalog.Matter",
        verbose_name="执法事项",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="留空表示该程序的全部事项",
    )
    basis = models.CharField("本机关依据或理由", max_length=300)
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "本机关增设的环节文书"
        verbose_name_plural = "本机关增设的环节文书"
        ordering = ["agency_id", "procedure", "source", "target", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="step_requirement_period_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} {self.source}→{self.target} {self.kind}"
