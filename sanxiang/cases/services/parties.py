"""Parties (当事人), their 委托代理人 and the case's witnesses: every write (issue 10, item 4).

A party an issued document names is frozen: it is not deleted, and a change goes through
``change_party`` with a reason, recorded as a ``PartyCorrection`` and ledgered as
``case.party_corrected`` (the issued document stays as served). Every write ledgers the party's
whole state (``state_of``), so ``verify_ledger`` names a row changed behind the application
(``cases/reconcile.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.identifiers import (
    is_valid_credit_code,
    is_valid_resident_id,
    resident_id_birth_date,
)

from ..models import (
    AgentAuthority,
    Case,
    Party,
    PartyAgent,
    PartyCorrection,
    PartyKind,
    Witness,
)
from ..party_models import AgentPower, WitnessRole
from ..queries import get_case_for
from .common import local_today, may_take

# The fields of a party that identify and reach it: ledgered as its state, compared by the
# reconciler, and the ones a correction may change.
STATE_FIELDS = (
    "kind",
    "name",
    "id_number",
    "credit_code",
    "legal_representative",
    "address",
    "phone",
    "is_minor",
)

# 行政处罚法 第64条(五)、民事诉讼法 第61条: a party may entrust one or two agents.
MAX_AGENTS = 2


@dataclass(frozen=True)
class PartyData:
    kind: str
    name: str
    id_number: str = ""
    credit_code: str = ""
    legal_representative: str = ""  # 法定代表人 / 负责人 / 经营者 (个体工商户)
    address: str = ""
    phone: str = ""
    is_minor: bool | None = None


@dataclass(frozen=True)
class AgentData:
    name: str
    id_number: str
    relation: str
    authority: str
    letter_dated_on: date
    valid_from: date
    powers: tuple[str, ...] = ()
    valid_until: date | None = None
    phone: str = ""
    address: str = ""
    letter_record_id: int | None = None  # a record of the case (the uploaded 授权委托书)
    letter_reference: str = ""  # or where the paper letter is (文书编号、卷内页码)


@dataclass(frozen=True)
class WitnessData:
    role: str
    name: str
    witnessed: str
    id_number: str = ""
    phone: str = ""
    address: str = ""


# -------------------------------------------------------------------------- identities


def _resident_id(raw: str, who: str, on: date, field: str, when: str = "今天") -> str:
    """A GB 11643 number with its check digit and a birth date from 1900 to ``on``."""
    number = raw.strip().upper()
    if not number:
        raise ValidationFailed(f"请填写{who}的居民身份证号码。", field=field)
    if not is_valid_resident_id(number):
        raise ValidationFailed(
            f"{who}的居民身份证号码校验不通过（校验码或出生日期有误，出生日期不得早于1900年）。",
            field=field,
        )
    # GB 11643: the number encodes the birth date; nobody is born after the case is filed.
    if not is_valid_resident_id(number, on=on):
        raise ValidationFailed(
            f"{who}的居民身份证号码中的出生日期晚于{when}，号码有误。",
            field=field,
        )
    return number


def _credit_code(raw: str, who: str, field: str) -> str:
    code = raw.strip().upper()
    if code and not is_valid_credit_code(code):
        raise ValidationFailed(
            f"{who}的统一社会信用代码校验不通过（GB 32100 校验码有误）。", field=field
        )
    return code


def _is_minor(id_number: str, on: date) -> bool:
    born = resident_id_birth_date(id_number)
    adult_on = date(born.year + 18, born.month, 1) + timedelta(days=born.day - 1)
    return on < adult_on


def party_fields(data: PartyData, *, on: date, field: str = "parties") -> dict[str, Any]:
    """The checked fields of a party of ``data.kind`` (refused with a Chinese message)."""
    name = data.name.strip()
    if not name:
        raise ValidationFailed("当事人名称或姓名不能为空。", field=field)
    who = f"当事人“{name}”"
    representative = data.legal_representative.strip()[:60]
    fields: dict[str, Any] = {
        "kind": data.kind,
        "name": name[:120],
        "id_number": "",
        "credit_code": "",
        "legal_representative": "",
        "address": data.address.strip()[:200],
        "phone": data.phone.strip()[:40],
        "is_minor": False,
    }
    if data.kind == PartyKind.NATURAL:
        number = _resident_id(data.id_number, who, on, field, "立案日期")
        # Minors are flagged from the ID's birth date on the filing day (never published).
        fields |= {"id_number": number, "is_minor": bool(data.is_minor) or _is_minor(number, on)}
    elif data.kind == PartyKind.INDIVIDUAL_BUSINESS:
        if not representative:
            raise ValidationFailed(f"请填写个体工商户“{name}”的经营者姓名。", field=field)
        fields |= {
            "id_number": _resident_id(data.id_number, f"{who}的经营者", on, field, "立案日期"),
            "credit_code": _credit_code(data.credit_code, who, field),
            "legal_representative": representative,
        }
    elif data.kind in (PartyKind.ORGANISATION, PartyKind.OTHER_ORGANISATION):
        fields |= {
            "credit_code": _credit_code(data.credit_code, who, field),
            "legal_representative": representative,
        }
    else:
        raise ValidationFailed("当事人类型无效。", field=field)
    return fields


def state_of(party: Party) -> dict[str, Any]:
    """What the ledger holds of a party (and the reconciler compares)."""
    return {name: getattr(party, name) for name in STATE_FIELDS}


def create_party(case: Case, data: PartyData) -> Party:
    """A new party of ``case``, inside the caller's transaction (立案 and ``add_party``)."""
    fields = party_fields(data, on=case.opened_on)
    return Party.objects.create(case=case, added_at=timezone.now(), **fields)


# -------------------------------------------------------------------------- frozen parties


def naming_documents(party: Party) -> list[str]:
    """The issued documents of the party's case that name it: every document issued since the
    party was entered (a party entered before ``added_at`` existed: every document)."""
    docs = party.case.documents.all()
    if party.added_at is not None:
        docs = docs.filter(issued_at__gte=party.added_at)
    return [
        f"《{title}》{number}".strip()
        for title, number in docs.order_by("issued_at", "pk").values_list("title", "number")
    ]


def _refuse_named(party: Party, named: list[str], what: str) -> DomainError:
    listed = "、".join(named[:3]) + ("等" if len(named) > 3 else "")
    return DomainError(
        "party_named_in_document",
        f"当事人“{party.name}”已载入已制发的文书{listed}，{what}",
        field="party",
    )


# -------------------------------------------------------------------------- access


def _case_for_write(actor: User, case_id: int) -> Case:
    case = get_case_for(actor, case_id, write=True)
    if not may_take(actor, case, frozenset({Role.OFFICER, Role.HEAD}), head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以登记当事人、代理人和证人。")
    if case.closed_on is not None:
        raise DomainError("conflict", "案件已结案，不能再修改当事人信息。")
    # Lock the case: two officers changing its parties at once are serialised.
    return Case.objects.select_for_update().select_related("agency", "matter").get(pk=case.pk)


def _party_for_write(actor: User, party_id: int) -> tuple[Case, Party]:
    case_id = Party.objects.filter(pk=party_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise DomainError("not_found", "未找到该当事人。")
    case = _case_for_write(actor, case_id)
    return case, Party.objects.select_related("case").get(pk=party_id)


def _ledger(event: str, case: Case, actor: User, payload: dict[str, Any]) -> None:
    append(
        event_type=event,
        payload={"number": case.number, **payload},
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )


# -------------------------------------------------------------------------- parties


@transaction.atomic(durable=True)
def add_party(*, actor: User, case_id: int, data: PartyData) -> Party:
    """Add a party found after 立案 (a co-offender, the operator behind a business …)."""
    case = _case_for_write(actor, case_id)
    party = create_party(case, data)
    _ledger("case.party_added", case, actor, {"party": party.pk, "state": state_of(party)})
    return party


@transaction.atomic(durable=True)
def change_party(
    *, actor: User, party_id: int, data: PartyData, correction_reason: str = ""
) -> Party:
    """Change a party's identity, address or contact.

    Once an issued document names the party, a change is a correction: refused without a
    reason (``party_named_in_document``), recorded with one (``PartyCorrection``)."""
    case, party = _party_for_write(actor, party_id)
    fields = party_fields(data, on=case.opened_on)
    before = state_of(party)
    changes = {k: [before[k], v] for k, v in fields.items() if before[k] != v}
    if not changes:
        return party
    named = naming_documents(party)
    reason = correction_reason.strip()
    if named and not reason:
        raise _refuse_named(
            party, named, "不能直接修改；如确需更正，请填写更正理由，作为更正记录登记。"
        )
    Party.objects.filter(pk=party.pk).update(**fields)
    party.refresh_from_db()
    if named:
        PartyCorrection.objects.create(
            case=case,
            party=party,
            changes=changes,
            reason=reason[:200],
            corrected_at=timezone.now(),
            corrected_by=actor,
        )
        payload = {"party": party.pk, "state": state_of(party), "changes": changes}
        _ledger("case.party_corrected", case, actor, payload | {"reason": reason, "named": named})
    else:
        payload = {"party": party.pk, "state": state_of(party), "changes": changes}
        _ledger("case.party_changed", case, actor, payload)
    return party


@transaction.atomic(durable=True)
def remove_party(*, actor: User, party_id: int) -> None:
    """Remove a party entered by mistake: never one an issued document names, nor the last."""
    case, party = _party_for_write(actor, party_id)
    named = naming_documents(party)
    if named:
        raise _refuse_named(party, named, "不能删除。")
    if Party.objects.filter(case=case).count() <= 1:
        raise ValidationFailed("案件至少须有一名当事人。", field="party")
    if party.agents.exists():
        raise DomainError(
            "conflict", f"当事人“{party.name}”已登记委托代理人，不能删除（代理记录须留存）。"
        )
    state = state_of(party)
    try:
        party.delete()
    except ProtectedError:
        # Another app's row names the party (a 笔录 being written, …): kept, and said so. The
        # collector refuses before it deletes anything, so nothing is half-removed.
        raise DomainError(
            "conflict", f"当事人“{party.name}”已被笔录等材料记载，不能删除；如信息有误，请更正。"
        ) from None
    _ledger("case.party_removed", case, actor, {"party": party_id, "state": state})


# -------------------------------------------------------------------------- agents

# The records app (above cases) tells whether a record of the case is a letter, and its hash.
LetterLookup = Callable[[int, int], str | None]  # (case_id, record_id) -> sha256 or None
_letter_lookups: list[LetterLookup] = []


def register_letter_lookup(lookup: LetterLookup) -> None:
    if lookup not in _letter_lookups:
        _letter_lookups.append(lookup)


# And lists the records of a case an officer may pick as the letter: (id, title) pairs.
LetterChoices = Callable[[int], list[tuple[int, str]]]
_letter_choices: list[LetterChoices] = []


def register_letter_choices(choices: LetterChoices) -> None:
    if choices not in _letter_choices:
        _letter_choices.append(choices)


def letter_choices(case_id: int) -> list[tuple[int, str]]:
    return [c for source in _letter_choices for c in source(case_id)]


def _letter_hash(case_id: int, record_id: int) -> str | None:
    for lookup in _letter_lookups:
        found = lookup(case_id, record_id)
        if found:
            return found
    return None


def _checked_powers(data: AgentData) -> str:
    if data.authority not in AgentAuthority.values:
        raise ValidationFailed("请选择代理权限（一般代理或特别授权）。", field="authority")
    powers = list(dict.fromkeys(p for p in data.powers if p))
    unknown = [p for p in powers if p not in AgentPower.values]
    if unknown:
        raise ValidationFailed("特别授权事项无效。", field="powers")
    if data.authority == AgentAuthority.SPECIAL and not powers:
        raise ValidationFailed("特别授权须在授权委托书中列明授权事项，请勾选。", field="powers")
    if data.authority == AgentAuthority.GENERAL and powers:
        raise ValidationFailed(
            "一般代理不得列有特别授权事项；如有，请选择“特别授权”。", field="authority"
        )
    ordered = [p for p in AgentPower.values if p in powers]
    return f",{','.join(ordered)}," if ordered else ""


def _checked_letter(case: Case, data: AgentData) -> tuple[int | None, str, str]:
    reference = data.letter_reference.strip()[:200]
    if data.letter_record_id is None and not reference:
        raise DomainError(
            "agent_letter_required",
            "委托代理人须提交由当事人签名或者盖章的授权委托书：请选择已上传的授权委托书，"
            "或注明纸质授权委托书的文书编号或卷内位置（参照《中华人民共和国行政诉讼法》第三十一条、"
            "《中华人民共和国民事诉讼法》第六十二条）。",
            field="letter",
        )
    digest = ""
    if data.letter_record_id is not None:
        found = _letter_hash(case.pk, data.letter_record_id)
        if found is None:
            raise ValidationFailed("所选授权委托书不是本案的证据记录。", field="letter_record_id")
        digest = found
    return data.letter_record_id, digest, reference


@transaction.atomic(durable=True)
def appoint_agent(*, actor: User, party_id: int, data: AgentData) -> PartyAgent:
    """Register a 委托代理人 of a party with the 授权委托书 (record or reference) and its date."""
    case, party = _party_for_write(actor, party_id)
    today = local_today()
    name = data.name.strip()
    if not name:
        raise ValidationFailed("请填写委托代理人姓名。", field="name")
    number = _resident_id(data.id_number, f"委托代理人“{name}”", today, "id_number")
    relation = data.relation.strip()
    if not relation:
        raise ValidationFailed(
            "请填写委托代理人与当事人的关系（如律师、近亲属、工作人员）。", field="relation"
        )
    powers = _checked_powers(data)
    record_id, digest, reference = _checked_letter(case, data)
    if data.letter_dated_on > today:
        raise ValidationFailed("授权委托书日期不能晚于今天。", field="letter_dated_on")
    if data.valid_from < data.letter_dated_on:
        raise ValidationFailed("代理期限不能早于授权委托书的日期。", field="valid_from")
    if data.valid_until is not None and data.valid_until < data.valid_from:
        raise ValidationFailed("代理期限的终止日期不能早于起始日期。", field="valid_until")
    active = PartyAgent.objects.filter(party=party, withdrawn_on__isnull=True)
    if active.count() >= MAX_AGENTS:
        raise DomainError(
            "conflict",
            f"当事人“{party.name}”已有{MAX_AGENTS}名委托代理人；当事人可以委托一至二人代理"
            "（《中华人民共和国行政处罚法》第六十四条第五项）。请先解除一名。",
            field="party",
        )
    agent = PartyAgent.objects.create(
        case=case,
        party=party,
        name=name[:60],
        id_number=number,
        phone=data.phone.strip()[:40],
        address=data.address.strip()[:200],
        relation=relation[:60],
        authority=data.authority,
        powers=powers,
        letter_record_id=record_id,
        letter_sha256=digest,
        letter_reference=reference,
        letter_dated_on=data.letter_dated_on,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        added_at=timezone.now(),
        added_by=actor,
    )
    _ledger("case.agent_appointed", case, actor, {"agent": agent.pk, **agent_state(agent)})
    return agent


def agent_state(agent: PartyAgent) -> dict[str, Any]:
    return {
        "party": agent.party_id,
        "name": agent.name,
        "id_number": agent.id_number,
        "relation": agent.relation,
        "authority": agent.authority,
        "powers": agent.powers,
        "letter_record": agent.letter_record_id,
        "letter_sha256": agent.letter_sha256,
        "letter_reference": agent.letter_reference,
        "letter_dated_on": agent.letter_dated_on,
        "valid_from": agent.valid_from,
        "valid_until": agent.valid_until,
        "withdrawn_on": agent.withdrawn_on,
    }


@transaction.atomic(durable=True)
def withdraw_agent(*, actor: User, agent_id: int, on: date, reason: str) -> PartyAgent:
    """解除委托: the agent acts no more from ``on``; the row stays in the history."""
    party_id = PartyAgent.objects.filter(pk=agent_id).values_list("party_id", flat=True).first()
    if party_id is None:
        raise DomainError("not_found", "未找到该委托代理人。")
    case, _party = _party_for_write(actor, party_id)
    agent = PartyAgent.objects.get(pk=agent_id)
    if not reason.strip():
        raise ValidationFailed(
            "请填写解除委托的理由（如当事人书面解除、代理人辞去委托）。", field="reason"
        )
    if on > local_today() or on < agent.valid_from:
        raise ValidationFailed("解除日期须在代理期限开始之后，且不晚于今天。", field="on")
    updated = PartyAgent.objects.filter(pk=agent.pk, withdrawn_on__isnull=True).update(
        withdrawn_on=on, withdrawn_reason=reason.strip()[:200]
    )
    if updated != 1:
        raise DomainError("conflict", "该委托已经解除。")
    agent.refresh_from_db()
    _ledger(
        "case.agent_withdrawn",
        case,
        actor,
        {"agent": agent.pk, **agent_state(agent), "reason": agent.withdrawn_reason},
    )
    return agent


# -------------------------------------------------------------------------- witnesses


@transaction.atomic(durable=True)
def add_witness(*, actor: User, case_id: int, data: WitnessData) -> Witness:
    """A 证人 (行政处罚法 第46条: 证人证言) or 见证人 (行政强制法 第18条(七), 留置送达)."""
    case = _case_for_write(actor, case_id)
    if data.role not in WitnessRole.values:
        raise ValidationFailed("请选择证人或见证人。", field="role")
    name = data.name.strip()
    if not name:
        raise ValidationFailed("请填写证人或见证人姓名。", field="name")
    number = ""
    if data.id_number.strip():
        number = _resident_id(data.id_number, f"“{name}”", local_today(), "id_number")
    witnessed = data.witnessed.strip()
    if not witnessed:
        raise ValidationFailed("请填写其见证或证明的事项。", field="witnessed")
    witness = Witness.objects.create(
        case=case,
        role=data.role,
        name=name[:60],
        id_number=number,
        phone=data.phone.strip()[:40],
        address=data.address.strip()[:200],
        witnessed=witnessed,
        added_at=timezone.now(),
        added_by=actor,
    )
    _ledger(
        "case.witness_added",
        case,
        actor,
        {
            "witness": witness.pk,
            "role": witness.role,
            "name": witness.name,
            "id_number": witness.id_number,
            "witnessed": witness.witnessed,
        },
    )
    return witness
