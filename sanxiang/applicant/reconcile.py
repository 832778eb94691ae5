"""电子送达's side of ``verify_ledger``'s state check (``ledger.reconcile``).

An electronic delivery passes the 送达 step without a paper 送达回证 (documents.guards), so its
row must be what the ledger says: ``applicant.delivery_sent`` names each delivery with its
document and PDF hash, and the delivery happened only by an ``applicant.delivery_received``
entry (or at sending, under the agency's "sent" rule). A row inserted, re-pointed or marked
delivered behind the application is named here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sanxiang.ledger.reconcile import Divergence, Fact, Reconciler

from .models import ElectronicDelivery, PartyLink

TABLE = ElectronicDelivery._meta.db_table
EVENT_TYPES = ("applicant.delivery_sent", "applicant.delivery_received")


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    sent: dict[int, Fact] = {}
    delivered: dict[int, Fact] = {}
    for fact in facts:
        pk = int(fact.payload.get("delivery") or 0)
        if fact.event_type == "applicant.delivery_sent":
            sent[pk] = fact
            if fact.payload.get("rule") == "sent":
                delivered[pk] = fact
        else:
            delivered.setdefault(pk, fact)
    held: dict[int, dict[str, Any]] = {
        row["pk"]: dict(row)
        for row in ElectronicDelivery.objects.values(
            "pk", "document_id", "pdf_sha256", "delivered_at"
        )
    }
    for pk, fact in sorted(sent.items()):
        row = held.get(pk)
        if row is None:
            yield Divergence(TABLE, str(pk), "id", fact.seq, "账本记载的电子送达在表中不存在")
            continue
        for field, value in (
            ("document_id", fact.payload.get("document")),
            ("pdf_sha256", fact.payload.get("pdf_sha256")),
        ):
            if str(row[field]) != str(value):
                yield Divergence(
                    TABLE, str(pk), field, fact.seq, f"账本记载为“{value}”，表中为“{row[field]}”"
                )
        if row["delivered_at"] is not None and pk not in delivered:
            yield Divergence(
                TABLE, str(pk), "delivered_at", fact.seq, "表中记为已送达，账本中没有送达条目"
            )
        if row["delivered_at"] is None and pk in delivered:
            yield Divergence(
                TABLE, str(pk), "delivered_at", delivered[pk].seq, "账本记载已送达，表中为未送达"
            )
    for pk in sorted(held.keys() - sent.keys()):
        yield Divergence(TABLE, str(pk), "id", None, "表中的电子送达在账本中没有登记条目")


RECONCILER = Reconciler("applicant.electronic_delivery", EVENT_TYPES, check)


# ----------------------------------------------------------- party links' browser bindings

LINK_TABLE = PartyLink._meta.db_table
BINDING_EVENTS = ("applicant.link_bound", "applicant.link_rebound")


def check_bindings(facts: Sequence[Fact]) -> Iterable[Divergence]:
    """A link's browser binding is the one its last binding entry names: a hash cleared,
    swapped or set behind the application (to let another browser in) is named."""
    last: dict[int, Fact] = {}
    for fact in facts:
        last[int(fact.payload.get("link_id") or 0)] = fact
    held = dict(PartyLink.objects.exclude(browser_sha256="").values_list("pk", "browser_sha256"))
    for pk in sorted(last.keys() - held.keys()):
        if PartyLink.objects.filter(pk=pk).exists():
            yield Divergence(
                LINK_TABLE,
                str(pk),
                "browser_sha256",
                last[pk].seq,
                "账本记载的浏览器绑定在表中被清除",
            )
    for pk, value in sorted(held.items()):
        named = last.get(pk)
        if named is None:
            yield Divergence(
                LINK_TABLE, str(pk), "browser_sha256", None, "表中的浏览器绑定在账本中没有登记条目"
            )
        elif named.payload.get("browser_sha256") != value:
            yield Divergence(
                LINK_TABLE, str(pk), "browser_sha256", named.seq, "绑定的浏览器与账本记载不符"
            )


BINDING_RECONCILER = Reconciler("applicant.link_binding", BINDING_EVENTS, check_bindings)
