"""The ledger: an append-only log of every state change, hashed into a Merkle tree (RFC 9162).

An entry is written in the same transaction as the change it records, *without* its position in
the log (``seq`` is NULL). The integrator assigns contiguous positions afterwards, in batches,
so writers never queue behind one another (DESIGN.md, "Ledger appends and locks").
"""

from __future__ import annotations

from django.db import models


class Entry(models.Model):
    seq = models.BigIntegerField("序号", null=True, unique=True)
    created_at = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True)
    actor_label = models.CharField("操作人", max_length=120, blank=True)
    agency_id = models.BigIntegerField("执法主体ID", null=True, db_index=True)
    case_id = models.BigIntegerField("案件ID", null=True, db_index=True)
    event_type = models.CharField("事件", max_length=64)
    payload = models.TextField("内容(规范JSON)")
    payload_hash = models.CharField("内容摘要", max_length=64)
    leaf_hash = models.CharField("叶子摘要", max_length=64)

    class Meta:
        verbose_name = "账本条目"
        verbose_name_plural = "账本条目"
        indexes = [models.Index(fields=["case_id", "id"], name="ledger_entry_case_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_type}"
