"""听证 requested online (issue 16, item 5): through the party link, within the period.

行政处罚法 第63条: for the penalties it lists the party has the right to ask for a hearing;
第64条第（一）项: asked within 5 days of the 告知 — 第85条: 五日 counts working days. The period
and the scope are those of ``cases.order`` (the ``hearing_request`` wait, counted from the day
the case entered its 告知 stage), so the page, this refusal and the decision guard agree.

A request enters the ledger (``applicant.hearing_requested``, registered with
``cases.order.register_party_answer``): the decision guard then refuses any decision until the
case has been through its hearing stage (``hearing_requested``), and the case team's 待办 says
the hearing is to be organised with its notice served seven days before (第64条第（二）项).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from sanxiang.cases import order
from sanxiang.cases.models import Case
from sanxiang.ledger import services as ledger
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import StageRole

from . import services
from .models import HearingRequest, PartyLink

MAX_REASON = 2000


def hearing_period(case: Case) -> order.Period | None:
    """The 听证 request period of the case since its last 告知, if the intended penalty is one
    a hearing may be asked for (第63条); None otherwise."""
    try:
        found = [p for p in order.periods(case) if p.rule.code == "hearing_request"]
    except DomainError:  # a calendar gap: shown as "ask the agency", never guessed
        return None
    return found[-1] if found else None


def requests_of(case_id: int) -> list[HearingRequest]:
    return list(HearingRequest.objects.filter(case_id=case_id).select_related("party"))


def may_request(case: Case) -> bool:
    period = hearing_period(case)
    return (
        period is not None
        and case.definition.has_role(case.stage, StageRole.NOTICE, StageRole.DEFENCE)
        and timezone.localdate() <= period.ends_on
        and not order.hearing_requested(case)
    )


def request_hearing(*, token: str, address: str, browser: str, reason: str = "") -> HearingRequest:
    text = reason.strip()
    if len(text) > MAX_REASON:
        raise ValidationFailed(f"理由不超过 {MAX_REASON} 字。", field="reason")
    link = services.use_link(token=token, address=address, browser=browser, what="hearing")
    return _record(link=link, reason=text)


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@transaction.atomic(durable=True)
def _record(*, link: PartyLink, reason: str) -> HearingRequest:
    case = Case.objects.select_for_update().get(pk=link.case_id)
    if not case.definition.has_role(case.stage, StageRole.NOTICE, StageRole.DEFENCE):
        raise DomainError(
            "conflict", "本案尚未进行处罚告知，或已不在告知、陈述申辩阶段，不能在线要求听证。"
        )
    period = hearing_period(case)
    if period is None:
        raise DomainError(
            "conflict",
            "本案拟作出的行政处罚不属于当事人可以要求听证的范围（行政处罚法 第63条），"
            "如有疑问请联系办案机关。",
        )
    today = timezone.localdate()
    if today > period.ends_on:
        raise DomainError(
            "deadline_passed",
            f"要求听证的期限已于{_cn(period.ends_on)}届满（告知后五个工作日内提出，"
            "行政处罚法 第64条第（一）项、第85条），不能再在线提出；如有正当理由，请联系办案机关。",
        )
    if order.hearing_requested(case):
        raise DomainError("conflict", "已收到本案的听证要求，无须重复提交。")
    request = HearingRequest.objects.create(
        case=case, party_id=link.party_id, link=link, reason=reason
    )
    ledger.append(
        event_type="applicant.hearing_requested",
        payload={
            "request": request.pk,
            "party_id": link.party_id,
            "on": today,
            "period_ends_on": period.ends_on,
            "reason_chars": len(reason),
        },
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return request
