"""The records side of ``verify_ledger``'s state check (``ledger.reconcile``).

Each ``record.added`` entry names the record and the SHA-256, SM3 and size of what was
received; the row must still carry them (``verify_records`` then checks the object against
the row: together, an object and its row swapped behind the application are both caught).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sanxiang.ledger.reconcile import Divergence, Fact, Reconciler

from .models import Record

EVENT_TYPES = ("record.added",)
TABLE = "records_record"
_FIELDS = ("sha256", "sm3", "size")


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    added = {f.payload["record"]: f for f in facts if isinstance(f.payload.get("record"), int)}
    rows = {
        pk: (sha256, sm3, size)
        for pk, sha256, sm3, size in Record.objects.values_list("pk", *_FIELDS).iterator()
    }
    for pk in sorted(rows.keys() - added.keys()):
        yield Divergence(TABLE, str(pk), "id", None, "记录在账本中没有添加条目")
    for pk, fact in sorted(added.items()):
        row = rows.get(pk)
        if row is None:
            yield Divergence(TABLE, str(pk), "id", fact.seq, "账本记载的记录在表中不存在")
            continue
        for name, value in zip(_FIELDS, row, strict=True):
            if value != fact.payload.get(name):
                yield Divergence(
                    TABLE,
                    str(pk),
                    name,
                    fact.seq,
                    f"与账本记载不符：账本为“{fact.payload.get(name)}”",
                )


RECONCILER = Reconciler("records", EVENT_TYPES, check)
