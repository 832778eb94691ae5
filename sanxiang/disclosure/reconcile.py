"""The disclosure side of ``verify_ledger``'s state check (``ledger.reconcile``).

Replaying the ``disclosure.*`` entries gives each publication's status (queued, excluded,
published, withdrawn, expired), the hash of what was published (and, since the entry carries
them, one digest per published field), the withdrawal and the revocation date. The table must
agree: a decision put back on the portal after its withdrawal, hidden without one, or whose
published text, party or amount was changed in the database is named (行政处罚法 第48条:
the public sees what was decided, and a withdrawal is itself on the record).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sanxiang.ledger.reconcile import Divergence, Fact, Reconciler

from . import drafting
from .models import Publication

EVENT_TYPES = (
    "disclosure.queued",
    "disclosure.excluded",
    "disclosure.published",
    "disclosure.revocation_recorded",
    "disclosure.withdrawn",
    "disclosure.expired",
)
_STATUS = {
    "disclosure.queued": "queued",
    "disclosure.excluded": "excluded",
    "disclosure.published": "published",
    "disclosure.withdrawn": "withdrawn",
    "disclosure.expired": "expired",
}
# content_of() names -> the columns they come from
_COLUMNS = {"matter": "matter_name", "agency": "agency_name", "text": "masked_text"}
TABLE = "disclosure_publication"


def _replay(facts: Sequence[Fact]) -> dict[int, dict[str, Any]]:
    state: dict[int, dict[str, Any]] = {}
    for fact in facts:
        pk = fact.payload.get("publication")
        if not isinstance(pk, int):
            continue
        item = state.setdefault(pk, {"first": fact})
        p = fact.payload
        if fact.event_type in _STATUS:
            item["status"] = (_STATUS[fact.event_type], fact)
        if fact.event_type == "disclosure.published":
            item["published"] = fact
        elif fact.event_type == "disclosure.withdrawn":
            item["withdrawn"] = fact
            if p.get("revoked_on"):
                item["revoked_on"] = (p["revoked_on"], fact)
        elif fact.event_type == "disclosure.revocation_recorded":
            item["revoked_on"] = (p.get("revoked_on"), fact)
    return state


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    state = _replay(facts)
    rows = {row.pk: row for row in Publication.objects.all()}
    for pk in sorted(rows.keys() - state.keys()):
        yield Divergence(TABLE, str(pk), "id", None, "公示事项在账本中没有入队或不予公示条目")
    for pk, item in sorted(state.items()):
        row = rows.get(pk)
        if row is None:
            seq = item["first"].seq
            yield Divergence(TABLE, str(pk), "id", seq, "账本记载的公示事项在表中不存在")
            continue
        yield from _compare(row, item)


def _compare(row: Publication, item: dict[str, Any]) -> Iterable[Divergence]:
    pk = str(row.pk)
    if "status" in item:
        status, fact = item["status"]
        if row.status != status:
            yield Divergence(
                TABLE,
                pk,
                "status",
                fact.seq,
                f"账本记载的公示状态为“{status}”，表中为“{row.status}”",
            )
    withdrawn = item.get("withdrawn")
    if withdrawn is not None:
        kind = withdrawn.payload.get("kind")
        if row.withdrawal_kind != kind:
            yield Divergence(
                TABLE, pk, "withdrawal_kind", withdrawn.seq, f"账本记载的撤回原因为“{kind}”"
            )
    if (row.withdrawn_at is not None) != (withdrawn is not None):
        what = (
            "表中有撤回时间，账本无撤回条目"
            if withdrawn is None
            else "账本记载已撤回，表中无撤回时间"
        )
        yield Divergence(TABLE, pk, "withdrawn_at", withdrawn.seq if withdrawn else None, what)
    if "revoked_on" in item:
        revoked, fact = item["revoked_on"]
        if (row.revoked_on.isoformat() if row.revoked_on else None) != revoked:
            yield Divergence(
                TABLE, pk, "revoked_on", fact.seq, f"账本记载的决定撤销日期为“{revoked}”"
            )
    published = item.get("published")
    if published is not None:
        yield from _content(row, published)


def _content(row: Publication, fact: Fact) -> Iterable[Divergence]:
    """What the portal shows must be what was published."""
    pk, ledgered = str(row.pk), fact.payload.get("content_sha256")
    if row.content_sha256 != ledgered:
        yield Divergence(TABLE, pk, "content_sha256", fact.seq, "公示内容摘要与账本记载不符")
    if drafting.content_sha256(row) == ledgered:
        return
    fields = fact.payload.get("content_fields")
    if not isinstance(fields, dict):  # entries written before the per-field digests
        yield Divergence(TABLE, pk, "content", fact.seq, "公示内容被改动，与账本记载的摘要不符")
        return
    now = drafting.content_field_digests(row)
    for name, digest in sorted(fields.items()):
        if now.get(name) != digest:
            column = _COLUMNS.get(str(name), str(name))
            yield Divergence(TABLE, pk, column, fact.seq, "公示后被改动，与账本记载的摘要不符")


RECONCILER = Reconciler("disclosure", EVENT_TYPES, check)
