"""This app's side of ``verify_ledger``'s state check: each case's terms are what its last
``licence.terms_set`` entry says, field by field, and no row exists without an entry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sanxiang.ledger.reconcile import Divergence, Fact, Reconciler

from .models import LicenceTerms
from .services import payload

TABLE = "licensing_licenceterms"


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    latest: dict[int, Fact] = {}
    for fact in facts:
        if fact.case_id is not None:
            latest[fact.case_id] = fact
    rows = {t.case_id: t for t in LicenceTerms.objects.all()}
    for case_id in sorted(rows.keys() - latest.keys()):
        yield Divergence(
            TABLE, str(rows[case_id].pk), "case", None, "许可证件信息在账本中没有登记条目"
        )
    for case_id, fact in sorted(latest.items()):
        row = rows.get(case_id)
        if row is None:
            yield Divergence(
                TABLE, f"案件{case_id}", "id", fact.seq, "账本登记的许可证件信息在表中不存在"
            )
            continue
        held = payload(row)
        for name, value in held.items():
            said = fact.payload.get(name, "")
            if said != value:
                yield Divergence(
                    TABLE, str(row.pk), name, fact.seq, f"账本记载为“{said}”，表中为“{value}”"
                )


RECONCILER = Reconciler("licensing", ("licence.terms_set",), check)
