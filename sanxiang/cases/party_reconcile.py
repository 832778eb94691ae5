"""The parties' and agents' side of ``verify_ledger``'s state check (``ledger.reconcile``).

Every write of a party ledgers the row's whole state (``services/parties.py``: 立案's
``party_rows``, ``case.party_added/changed/corrected/removed``), and so does every write of a
委托代理人. Replaying the entries gives what each row must hold; a party changed, deleted or
inserted by SQL is named field by field, and the message says when an issued document names
the party (the document's content hash was built from the party as ledgered). Parties of cases
opened before the state was ledgered are not replayed (their opening entry has no rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sanxiang.ledger.reconcile import Divergence, Fact, Reconciler

from .models import Party, PartyAgent
from .services.parties import STATE_FIELDS, agent_state, naming_documents

PARTY_EVENTS = (
    "case.party_added",
    "case.party_changed",
    "case.party_corrected",
    "case.party_removed",
)
AGENT_EVENTS = ("case.agent_appointed", "case.agent_withdrawn")
EVENT_TYPES = ("case.opened", *PARTY_EVENTS, *AGENT_EVENTS)


def _plain(value: Any) -> Any:
    """A value as the ledger's canonical JSON holds it (dates as ISO strings)."""
    return value.isoformat() if isinstance(value, date) else value


def _replay(facts: Sequence[Fact]) -> tuple[dict[int, tuple[Fact, Any]], set[int], dict]:
    parties: dict[int, tuple[Fact, Any]] = {}  # pk -> (last fact, state or None if removed)
    tracked: set[int] = set()  # cases whose parties are all ledgered
    agents: dict[int, tuple[Fact, dict[str, Any]]] = {}
    for fact in facts:
        if fact.event_type == "case.opened":
            rows = fact.payload.get("party_rows")
            if rows is None or fact.case_id is None:
                continue
            tracked.add(fact.case_id)
            for row in rows:
                parties[int(row["party"])] = (fact, row["state"])
        elif fact.event_type in PARTY_EVENTS:
            removed = fact.event_type == "case.party_removed"
            parties[int(fact.payload["party"])] = (fact, None if removed else fact.payload["state"])
        elif fact.event_type in AGENT_EVENTS:
            agents[int(fact.payload["agent"])] = (fact, fact.payload)
    return parties, tracked, agents


def _named(party: Party) -> str:
    named = naming_documents(party)
    return f"（该当事人已载入已制发的文书{'、'.join(named[:3])}）" if named else ""


def _parties(parties: dict[int, tuple[Fact, Any]], tracked: set[int]) -> Iterable[Divergence]:
    """Every party row against its last ledgered state, read as value rows in one pass (a
    Party instance is built only for a row that differs, to name the documents)."""
    seen: set[int] = set()
    rows = Party.objects.order_by("pk").values_list("pk", "case_id", *STATE_FIELDS)
    for pk, case_id, *values in rows.iterator(chunk_size=2000):
        seen.add(pk)
        ledgered = parties.get(pk)
        if ledgered is None:
            if case_id in tracked:
                yield Divergence("cases_party", str(pk), "id", None, "当事人在账本中没有登记条目")
            continue
        fact, state = ledgered
        if state is None:
            yield Divergence(
                "cases_party", str(pk), "id", fact.seq, "账本记载已删除的当事人仍在表中"
            )
            continue
        live = dict(zip(STATE_FIELDS, values, strict=True))
        wrong = [n for n in STATE_FIELDS if n in state and live[n] != state[n]]
        if not wrong:
            continue
        named = _named(Party.objects.select_related("case").get(pk=pk))
        for name in wrong:
            yield Divergence(
                "cases_party",
                str(pk),
                name,
                fact.seq,
                f"当事人信息被改动：账本为“{state[name]}”，表中为“{live[name]}”{named}",
            )
    for pk, (fact, state) in sorted(parties.items()):
        if pk not in seen and state is not None:
            yield Divergence("cases_party", str(pk), "id", fact.seq, "账本记载的当事人在表中不存在")


def _agents(agents: dict[int, tuple[Fact, dict[str, Any]]]) -> Iterable[Divergence]:
    rows = {a.pk: a for a in PartyAgent.objects.all()}
    for pk in sorted(rows.keys() - agents.keys()):
        yield Divergence("cases_partyagent", str(pk), "id", None, "委托代理人在账本中没有登记条目")
    for pk, (fact, payload) in sorted(agents.items()):
        row = rows.get(pk)
        if row is None:
            yield Divergence(
                "cases_partyagent", str(pk), "id", fact.seq, "账本记载的委托代理人在表中不存在"
            )
            continue
        for name, value in agent_state(row).items():
            if name in payload and _plain(value) != payload[name]:
                yield Divergence(
                    "cases_partyagent",
                    str(pk),
                    name,
                    fact.seq,
                    f"委托代理信息被改动：账本为“{payload[name]}”，表中为“{_plain(value)}”",
                )


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    parties, tracked, agents = _replay(facts)
    yield from _parties(parties, tracked)
    yield from _agents(agents)


RECONCILER = Reconciler("parties", EVENT_TYPES, check)
