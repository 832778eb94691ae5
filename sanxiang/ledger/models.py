"""The ledger: an append-only log of every state change, hashed into a Merkle tree (RFC 9162).

An entry is written in the same transaction as the change it records, *without* its position in
the log (``seq`` is NULL). The integrator assigns contiguous positions afterwards, in batches,
so writers never queue behind one another (DESIGN.md, "Ledger appends and locks").

Database triggers (migration 0003, ``guard.py``) refuse every UPDATE and DELETE on these tables
except the integrator's single ``seq`` assignment on an entry.
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
        indexes = [
            models.Index(fields=["case_id", "id"], name="ledger_entry_case_idx"),
            # The integrator's work list stays small however long the log grows.
            models.Index(
                fields=["id"],
                condition=models.Q(seq__isnull=True),
                name="ledger_entry_unsequenced_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_type}"


class Node(models.Model):
    """The hash of a perfect subtree: leaves ``[index * 2**level, (index + 1) * 2**level)``.

    Written by the integrator once the range is complete, never changed; level 0 holds the
    leaf hashes in log order. Any proof then needs ``O(log n)`` of these rows.
    """

    level = models.PositiveSmallIntegerField("层")
    index = models.BigIntegerField("位置")
    hash = models.BinaryField("摘要", max_length=32)

    class Meta:
        verbose_name = "默克尔树节点"
        verbose_name_plural = "默克尔树节点"
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="ledger_node_position_uniq")
        ]

    def __str__(self) -> str:
        return f"node({self.level}, {self.index})"


class Checkpoint(models.Model):
    """A signed statement "the log ``origin`` has ``tree_size`` entries with root ``root_hash``".

    The signed text is ``signing.note_body(...)`` (C2SP tlog-checkpoint style); the private key
    lives in a file outside the database (``SANXIANG_LEDGER_KEY_FILE``).
    """

    origin = models.CharField("日志名称", max_length=200)
    tree_size = models.BigIntegerField("条目数")
    root_hash = models.CharField("根摘要", max_length=64)
    hash_name = models.CharField("摘要算法", max_length=16, default="sha256")
    created_at = models.DateTimeField("签署时间")
    algorithm = models.CharField("签名算法", max_length=16)
    key_id = models.CharField("密钥标识", max_length=16)
    signature = models.TextField("签名(Base64)")

    class Meta:
        verbose_name = "签名检查点"
        verbose_name_plural = "签名检查点"
        ordering = ["-tree_size", "-id"]
        indexes = [models.Index(fields=["tree_size", "id"], name="ledger_checkpoint_size_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tree_size__gte=0), name="ledger_checkpoint_size_nonneg"
            )
        ]

    def __str__(self) -> str:
        return f"{self.origin} @ {self.tree_size}"


class Cosignature(models.Model):
    """A witness's ``cosignature/v1`` of a checkpoint (C2SP tlog-cosignature), as it answered.

    Kept as the signature line it returned, so a bundle or the public log page can append it to
    the checkpoint note and anyone holding the witness's public key can check it.
    """

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="cosignatures"
    )
    witness = models.CharField("见证方", max_length=200)
    key_id = models.CharField("密钥标识", max_length=16)
    timestamp = models.BigIntegerField("见证时间(POSIX)")
    line = models.TextField("签名行")

    class Meta:
        verbose_name = "见证签名"
        verbose_name_plural = "见证签名"
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "witness"], name="ledger_cosignature_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.witness} @ {self.checkpoint_id}"
