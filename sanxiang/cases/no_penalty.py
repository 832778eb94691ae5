"""不予处罚 at 审查 (issue 10, h10a item 1): 行政处罚法 第57条第1款第（二）（三）项 — after the
investigation the head decides that no penalty is given, on a ground the law lists:

- 第30条: 不满十四周岁的未成年人有违法行为的，不予行政处罚，责令监护人加以管教;
- 第31条: 精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为的，不予行政处罚;
- 第33条第1款: 违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚 (应当);
  初次违法且危害后果轻微并及时改正的，可以不予行政处罚 (可以: the reasons must say why);
- 第33条第2款: 当事人有证据足以证明没有主观过错的，不予行政处罚;
- 第36条: 违法行为在二年（五年）内未被发现的，不再给予行政处罚;
- 第57条第1款第（三）项: 违法事实不能成立的，不予行政处罚.

The officer records the ground and the reasons (``prepare_no_penalty``, one ledger entry
``case.no_penalty_prepared``: the ledger is the record); the 不予行政处罚决定书 prints the latest
(``no_penalty_text``, registered with the documents app, required to issue it); the head's step
from 审查 into 结案 requires that document issued and delivered (procedures.definitions).

No 事先告知 is needed: 第44条 asks it before 作出行政处罚决定, and a 不予处罚 imposes none. The
decision is not published on the portal: 双公示 (国办发〔2018〕118号; 第48条) publishes 行政处罚
decisions, and a 不予处罚 is not a 行政处罚 (第9条's kinds); nothing here queues it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.db import models, transaction

from sanxiang.accounts.models import Role, User
from sanxiang.ledger.models import Entry
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.identifiers import is_valid_resident_id, resident_id_birth_date
from sanxiang.procedures.definitions import StageRole

from .models import Case, DecisionDraft, DecisionKind, PartyKind
from .queries import get_case_for
from .services.common import local_today, may_take
from .services.opening import LIMITATION_BASIS, LIMITATION_YEARS, years_after

EVENT = "case.no_penalty_prepared"
KIND = "no_penalty_decision"
# The stages where the decision not to penalise is prepared: after the investigation and
# before the decision (第57条: 调查终结 → 负责人审查决定; after a 陈述申辩 or 听证 too, 第45条).
ROLES = (
    StageRole.REVIEW,
    StageRole.NOTICE,
    StageRole.DEFENCE,
    StageRole.HEARING,
    StageRole.DECISION,
)
MINOR_AGE = 14  # 行政处罚法 第30条: 不满十四周岁


class Ground(models.TextChoices):
    MINOR = "minor", "不满十四周岁的未成年人（第三十条）"
    INCAPABLE = "incapable", "精神病人、智力残疾人不能辨认或者不能控制自己行为（第三十一条）"
    MINOR_CORRECTED = (
        "minor_corrected",
        "违法行为轻微并及时改正，没有造成危害后果（第三十三条第一款）",
    )
    FIRST_OFFENCE = (
        "first_offence",
        "初次违法且危害后果轻微并及时改正（第三十三条第一款，可以不予处罚）",
    )
    NO_FAULT = "no_fault", "有证据足以证明没有主观过错（第三十三条第二款）"
    TIME_BARRED = "time_barred", "违法行为超过追责期限未被发现（第三十六条）"
    NOT_ESTABLISHED = "not_established", "违法事实不能成立（第五十七条第一款第（三）项）"


@dataclass(frozen=True)
class Article:
    cite: str  # as the 决定书 prints it
    text: str  # the law's words, printed after "本机关认为，"
    order: str = ""  # what the law orders beside (责令监护人…)


ARTICLES: dict[str, Article] = {
    Ground.MINOR: Article(
        "《中华人民共和国行政处罚法》第三十条",
        "当事人有违法行为时不满十四周岁",
        "责令其监护人加以管教",
    ),
    Ground.INCAPABLE: Article(
        "《中华人民共和国行政处罚法》第三十一条",
        "当事人系精神病人（智力残疾人），在不能辨认或者不能控制自己行为时有违法行为",
        "责令其监护人严加看管和治疗",
    ),
    Ground.MINOR_CORRECTED: Article(
        "《中华人民共和国行政处罚法》第三十三条第一款",
        "当事人的违法行为轻微并及时改正，没有造成危害后果",
    ),
    Ground.FIRST_OFFENCE: Article(
        "《中华人民共和国行政处罚法》第三十三条第一款",
        "当事人系初次违法，危害后果轻微并及时改正",
    ),
    Ground.NO_FAULT: Article(
        "《中华人民共和国行政处罚法》第三十三条第二款",
        "当事人有证据足以证明没有主观过错",
    ),
    Ground.TIME_BARRED: Article(
        "《中华人民共和国行政处罚法》第三十六条",
        "当事人的违法行为在法定追责期限内未被发现",
    ),
    Ground.NOT_ESTABLISHED: Article(
        "《中华人民共和国行政处罚法》第五十七条第一款第（三）项",
        "当事人的违法事实不能成立",
    ),
}
# 第30条, 第31条: natural persons only.
PERSONAL = frozenset({Ground.MINOR, Ground.INCAPABLE})
BASIS = (
    "行政处罚法 第57条第1款第（二）（三）项：违法行为轻微，依法可以不予行政处罚的，或者违法事实"
    "不能成立的，不予行政处罚；第30条、第31条、第33条、第36条"
)


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _check_person(case: Case, ground: str, violation_on: date | None) -> None:
    """第30条 and 第31条 concern a natural person; 第30条 one under fourteen on the day of the
    act, checked against the party's resident ID where it is on file."""
    parties = list(case.parties.all())
    companies = [p.name for p in parties if p.kind != PartyKind.NATURAL]
    if not parties or companies:
        raise DomainError(
            "no_penalty_ground_unfounded",
            f"“{Ground(ground).label}”只适用于自然人，本案当事人"
            f"{'、'.join(companies) or '未登记'}不是自然人（{BASIS}）。",
            field="ground",
        )
    if ground != Ground.MINOR:
        return
    acted = violation_on or case.violation_on
    if acted is None:
        raise ValidationFailed(
            "以不满十四周岁为由不予处罚，须填写违法行为发生日期（行政处罚法 第30条）。",
            field="violation_on",
        )
    for party in parties:
        if not party.id_number or not is_valid_resident_id(party.id_number):
            continue
        born = resident_id_birth_date(party.id_number)
        fourteen = years_after(born, MINOR_AGE)
        if acted >= fourteen:
            raise DomainError(
                "no_penalty_ground_unfounded",
                f"{party.name}于{_cn(born)}出生，违法行为发生时（{_cn(acted)}）已满十四周岁，"
                "不属于行政处罚法 第30条“不满十四周岁的未成年人”。",
                field="ground",
            )


def _check_time_bar(case: Case, violation_on: date | None) -> date:
    """第36条: the act (or its end) more than the period before it was discovered."""
    if violation_on is None:
        raise ValidationFailed(
            "以超过追责期限为由不予处罚，须填写查明的违法行为发生（终了）日期"
            "（行政处罚法 第36条）。",
            field="violation_on",
        )
    discovered = case.discovered_on or case.opened_on
    years = case.limitation_years or LIMITATION_YEARS
    last = years_after(violation_on, years)
    if discovered <= last:
        raise DomainError(
            "no_penalty_ground_unfounded",
            f"违法行为发生（终了）于{_cn(violation_on)}，{_cn(discovered)}被发现，未超过{years}年的"
            f"追责期限（至{_cn(last)}止），不能以超过追责期限为由不予处罚（{LIMITATION_BASIS}）。",
            field="violation_on",
        )
    return last


@transaction.atomic(durable=True)
def prepare_no_penalty(
    *,
    actor: User,
    case_id: int,
    ground: str,
    reasons: str,
    violation_on: date | None = None,
) -> None:
    """Record the ground and the reasons of a decision not to penalise (the 不予行政处罚决定书
    prints them); the draft must be of the kind 不予行政处罚."""
    case = get_case_for(actor, case_id, write=True)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not may_take(actor, case, frozenset({Role.OFFICER, Role.HEAD}), head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以拟定不予处罚意见。")
    definition = case.definition
    if definition.category != "penalty" or definition.on_the_spot:
        raise DomainError("conflict", "只有行政处罚普通程序的案件在此拟定不予处罚。")
    if not definition.has_role(case.stage, *ROLES):
        raise DomainError(
            "conflict",
            f"案件处于“{case.stage_label}”，只能在调查终结后、作出决定前拟定不予处罚（{BASIS}）。",
        )
    if _issued(case):
        raise DomainError(
            "conflict", "本案已制发《不予行政处罚决定书》，不予处罚的情形和理由不能再修改。"
        )
    if ground not in Ground.values:
        raise ValidationFailed("请选择行政处罚法规定的不予处罚情形。", field="ground")
    reasons = reasons.strip()
    if not reasons:
        raise ValidationFailed(
            "请写明认定该情形的事实和证据（行政处罚法 第33条第1款“可以”不予处罚的，"
            "还须写明理由）。",
            field="reasons",
        )
    if violation_on is not None and violation_on > local_today():
        raise ValidationFailed("违法行为发生日期不能晚于今天。", field="violation_on")
    draft = DecisionDraft.objects.filter(case=case).first()
    if draft is None or draft.kind != DecisionKind.NO_PENALTY:
        raise ValidationFailed(
            "请先将决定草稿的决定种类保存为“不予行政处罚”，写明适用的条款，再拟定不予处罚情形。",
            field="draft",
        )
    if ground in PERSONAL:
        _check_person(case, ground, violation_on)
    payload: dict[str, object] = {"number": case.number, "ground": ground, "reasons": reasons}
    if ground == Ground.TIME_BARRED:
        payload["limitation_ends_on"] = _check_time_bar(case, violation_on)
    if violation_on is not None:
        payload["violation_on"] = violation_on
    append(
        event_type=EVENT,
        payload=payload,
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )


def _issued(case: Case) -> bool:
    return Entry.objects.filter(
        case_id=case.pk, event_type="document.issued", payload__contains=f'"{KIND}"'
    ).exists()


def prepared(case: Case) -> dict[str, object] | None:
    """The latest 不予处罚 ground recorded for the case, as its entry holds it."""
    raw = (
        Entry.objects.filter(case_id=case.pk, event_type=EVENT)
        .order_by("-id")
        .values_list("payload", flat=True)
        .first()
    )
    return None if raw is None else dict(json.loads(raw))


def no_penalty_text(case: Case) -> str:
    """What the 不予行政处罚决定书 prints (documents ``register_sheet_text``): ``label：value``
    lines of the ground, its article, what the law orders beside and the reasons."""
    payload = prepared(case)
    if payload is None:
        return ""
    article = ARTICLES[str(payload["ground"])]
    lines = [
        f"情形：{article.text}",
        f"条款：{article.cite}",
        f"理由：{payload['reasons']}",
    ]
    if article.order:
        lines.append(f"责令：{article.order}")
    return "\n".join(lines)
