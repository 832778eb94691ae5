"""立案: opening a case with its parties and a certified team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import home_agency, require_role
from sanxiang.catalog.models import Matter
from sanxiang.directory.models import Agency, Officer
from sanxiang.directory.queries import may_act
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import DEFINITIONS, Definition

from .. import deadlines as clocks
from ..models import Case, CaseMember, CaseSource, Party
from .common import local_today, matter_category
from .parties import PartyData as PartyData  # re-exported: callers import it from here
from .parties import create_party, state_of

MINIMUM_TEAM = 2  # 行政处罚法 第42条: no fewer than two officers

# 行政处罚法 第36条第1款: two years; five where 公民生命健康安全、金融安全 are concerned and harm
# was done; a law may set another period ("法律另有规定的除外").
LIMITATION_YEARS = 2
LIMITATION_LONG_YEARS = 5
LIMITATION_BASIS = (
    "行政处罚法 第36条：违法行为在二年内未被发现的，不再给予行政处罚；涉及公民生命健康安全、"
    "金融安全且有危害后果的，延长至五年；法律另有规定的除外。期限从违法行为发生之日起计算，"
    "违法行为有连续或者继续状态的，从行为终了之日起计算"
)


@dataclass(frozen=True)
class Limitation:
    """时效 facts given at 立案 (行政处罚法 第36条)."""

    violation_on: date  # the act, or its end when continuing or repeated
    discovered_on: date | None = None  # None: discovered on the filing day
    years: int = LIMITATION_YEARS
    basis: str = ""  # required for any period but two years: why five, or which law


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


years_after = _years_after  # the period's last day (第36条), for cases.no_penalty too


def check_limitation(limitation: Limitation, opened_on: date) -> tuple[date, date]:
    """Refuse a case whose violation was discovered after the period of 第36条; return the
    discovery day and the period's last day."""
    discovered = limitation.discovered_on or opened_on
    if limitation.violation_on > discovered:
        raise ValidationFailed("违法行为发生（终了）日期不能晚于发现日期。", field="violation_on")
    if discovered > opened_on:
        raise ValidationFailed("发现日期不能晚于立案日期。", field="discovered_on")
    if limitation.years < 1:
        raise ValidationFailed("追责时效须为正整数年。", field="limitation_years")
    if limitation.years != LIMITATION_YEARS and not limitation.basis.strip():
        raise ValidationFailed(
            f"适用{limitation.years}年时效的，须注明依据（涉及公民生命健康安全、金融安全且有危害后果的"
            "事实，或另有规定的法律条款；行政处罚法 第36条）。",
            field="limitation_basis",
        )
    last = _years_after(limitation.violation_on, limitation.years)
    if discovered > last:
        v, d, e = limitation.violation_on, discovered, last
        raise DomainError(
            "limitation_expired",
            f"违法行为发生（终了）于{v.year}年{v.month}月{v.day}日，至{d.year}年{d.month}月{d.day}日"
            f"才被发现，已超过{limitation.years}年的追责时效（至{e.year}年{e.month}月{e.day}日止），"
            f"不再给予行政处罚，不予立案（{LIMITATION_BASIS}）。",
            field="violation_on",
        )
    return discovered, last


def _check_team(agency: Agency, officer_ids: list[int], category: str) -> list[Officer]:
    """At least two officers certified today for the matter's category and the agency's area."""
    ids = list(dict.fromkeys(officer_ids))
    officers = list(
        Officer.objects.filter(pk__in=ids, agency_id__in=Agency.subtree_ids({agency.pk}))
    )
    if len(officers) != len(ids):
        raise ValidationFailed("办案人员须为本机关的执法人员。", field="team")
    today = local_today()
    unfit = [
        o.name for o in officers if not may_act(o, category=category, area=agency.area, on=today)
    ]
    if unfit:
        raise DomainError(
            "officer_not_certified",
            f"{'、'.join(unfit)}的执法证件今日无效，或执法类别、区域不符，不能承办本案。",
            field="team",
        )
    if len(officers) < MINIMUM_TEAM:
        raise DomainError(
            "officer_not_certified", "办案须有两名以上持有效执法证件的执法人员。", field="team"
        )
    return [o for i in ids for o in officers if o.pk == i]


def _next_seq(agency: Agency, year: int) -> int:
    # The agency row is the lock: two officers filing at once get consecutive numbers.
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    top = Case.objects.filter(agency=agency, year=year).aggregate(m=Max("seq"))["m"]
    return (top or 0) + 1


def _checked_matter(
    agency: Agency, matter_id: int, definition: Definition, opened_on: date
) -> tuple[Matter, str]:
    """The agency's own matter, in force on the filing day, of the procedure's category."""
    matter = Matter.objects.filter(pk=matter_id, agency=agency).first()
    if matter is None:
        raise ValidationFailed("请选择本机关的执法事项。", field="matter_id")
    category = matter_category(matter, opened_on)
    if category != definition.category:
        raise ValidationFailed(f"该事项不适用“{definition.label}”。", field="procedure")
    return matter, category


def _check_fields(*, title: str, source: str, opened_on: date, parties: list[PartyData]) -> None:
    if source not in CaseSource.values:
        raise ValidationFailed("案件来源无效。", field="source")
    if not title.strip():
        raise ValidationFailed("案由不能为空。", field="title")
    if opened_on > local_today():
        raise ValidationFailed("立案日期不能晚于今天。", field="opened_on")
    if not parties:
        raise ValidationFailed("至少登记一名当事人。", field="parties")


@transaction.atomic(durable=True)
def open_case(
    *,
    actor: User,
    matter_id: int,
    procedure: str,
    title: str,
    source: str,
    facts: str,
    parties: list[PartyData],
    team: list[int],
    opened_on: date,
    is_demo: bool = False,
    limitation: Limitation | None = None,
) -> Case:
    """立案: register a case with its parties and a team of at least two certified officers.

    ``limitation``: the 时效 facts (行政处罚法 第36条), checked for a penalty procedure; a
    violation discovered after its period is refused (``limitation_expired``)."""
    require_role(actor, Role.OFFICER, Role.HEAD)
    agency = home_agency(actor)
    definition = DEFINITIONS.get(procedure)
    if definition is None:
        raise ValidationFailed("程序类型无效。", field="procedure")
    matter, category = _checked_matter(agency, matter_id, definition, opened_on)
    _check_fields(title=title, source=source, opened_on=opened_on, parties=parties)
    officers = _check_team(agency, team, category)
    timing: dict[str, Any] = {}
    if limitation is not None and definition.category == "penalty":
        discovered, last = check_limitation(limitation, opened_on)
        timing = {
            "violation_on": limitation.violation_on,
            "discovered_on": discovered,
            "limitation_years": limitation.years,
            "limitation_basis": limitation.basis.strip()[:200],
        }
    seq = _next_seq(agency, opened_on.year)
    case = Case.objects.create(
        agency=agency,
        number=f"{agency.short_name or agency.name}案字〔{opened_on.year}〕第{seq}号",
        year=opened_on.year,
        seq=seq,
        procedure=procedure,
        stage=definition.initial.code,
        matter=matter,
        title=title.strip(),
        source=source,
        facts=facts,
        opened_on=opened_on,
        created_by=actor,
        is_demo=is_demo,
        **timing,
    )
    saved = [create_party(case, p) for p in parties]
    for i, officer in enumerate(officers):
        CaseMember.objects.create(case=case, officer=officer, is_lead=i == 0)
    started = clocks.stage_entered(case, definition, definition.initial.code, opened_on)
    append(
        event_type="case.opened",
        payload={
            "number": case.number,
            "procedure": procedure,
            "matter": matter.code,
            "title": case.title,
            "opened_on": opened_on,
            "stage": definition.initial.code,
            "clocks": started,
            **({"limitation": {**timing, "last_day": last}} if timing else {}),
            "parties": [[p.name, p.identifier] for p in saved],
            # Each party's whole state by row (cases/reconcile.py compares the rows with it).
            "party_rows": [{"party": p.pk, "state": state_of(p)} for p in saved],
            "team": [o.certificate_no for o in officers],
        },
        actor=actor,
        agency_id=agency.pk,
        case_id=case.pk,
    )
    return case


def open_online_application(
    *, agency: Agency, matter_id: int, title: str, facts: str, party: PartyData, registered_by: User
) -> tuple[Case, Party]:
    """网上受理: the 许可 case an applicant's online submission opens, at the first stage.

    Runs inside the caller's transaction (``applicant.intake.submit_application`` stores the
    materials and its own entry in the same one). There is no staff actor: ``registered_by`` is
    the agency's intake account, the ledger entry has no actor and says ``via: online``. No
    team yet (行政许可法 has no two-officer rule for 受理; the head assigns one). The clocks run
    from the day of receipt (行政许可法 第32条: 5 working days to ask for 补正).
    """
    definition = DEFINITIONS["licence"]
    today = local_today()
    matter, _category = _checked_matter(agency, matter_id, definition, today)
    _check_fields(title=title, source=CaseSource.APPLICATION, opened_on=today, parties=[party])
    seq = _next_seq(agency, today.year)
    case = Case.objects.create(
        agency=agency,
        number=f"{agency.short_name or agency.name}案字〔{today.year}〕第{seq}号",
        year=today.year,
        seq=seq,
        procedure=definition.code,
        stage=definition.initial.code,
        matter=matter,
        title=title.strip(),
        source=CaseSource.APPLICATION,
        facts=facts,
        opened_on=today,
        created_by=registered_by,
    )
    saved = create_party(case, party)
    started = clocks.stage_entered(case, definition, definition.initial.code, today)
    append(
        event_type="case.opened",
        payload={
            "number": case.number,
            "procedure": definition.code,
            "matter": matter.code,
            "title": case.title,
            "opened_on": today,
            "stage": definition.initial.code,
            "clocks": started,
            "parties": [[saved.name, saved.identifier]],
            "party_rows": [{"party": saved.pk, "state": state_of(saved)}],
            "team": [],
            "via": "online",
        },
        agency_id=agency.pk,
        case_id=case.pk,
    )
    return case, saved
