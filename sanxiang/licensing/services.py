"""The one write path of a licence's terms (行政许可法 第39条), before the decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.cases.models import Case
from sanxiang.cases.queries import get_case_for, had_role
from sanxiang.cases.services.common import may_take
from sanxiang.ledger.services import append
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import STAFF, StageRole

from .models import LicenceCategory, LicenceTerms

BASIS = "《中华人民共和国行政许可法》第三十九条"


@dataclass(frozen=True)
class TermsData:
    category: str
    content: str
    valid_from: date
    valid_until: date | None = None  # None: 长期
    certificate_name: str = ""
    licence_number: str = ""


def payload(terms: LicenceTerms | TermsData) -> dict[str, str]:
    """The terms as the ledger entry and the draft snapshot hold them."""
    return {
        "category": terms.category,
        "certificate_name": terms.certificate_name,
        "licence_number": terms.licence_number,
        "content": terms.content,
        "valid_from": terms.valid_from.isoformat(),
        "valid_until": terms.valid_until.isoformat() if terms.valid_until else "",
    }


def _clean(case: Case, data: TermsData) -> TermsData:
    if data.category not in LicenceCategory.values:
        raise ValidationFailed("请选择许可类别（行政许可法 第十二条）。", field="category")
    content = data.content.strip()
    if not content:
        raise ValidationFailed("请填写许可内容（准予从事的活动或事项）。", field="content")
    name, number = data.certificate_name.strip(), data.licence_number.strip()
    if name and not number:
        raise ValidationFailed(f"颁发“{name}”的，须填写证件编号。", field="licence_number")
    if number and not name:
        raise ValidationFailed("填写了证件编号的，须写明许可证件名称。", field="certificate_name")
    if len(name) > 100 or len(number) > 64:
        raise ValidationFailed("证件名称不超过100字，编号不超过64字。", field="certificate_name")
    if data.valid_from < case.opened_on:
        raise ValidationFailed("有效期起始日不能早于申请（立案）日期。", field="valid_from")
    if data.valid_until is not None and data.valid_until < data.valid_from:
        raise ValidationFailed("有效期截止日不能早于起始日。", field="valid_until")
    return TermsData(data.category, content, data.valid_from, data.valid_until, name, number)


@transaction.atomic(durable=True)
def set_terms(*, actor: User, case_id: int, data: TermsData) -> LicenceTerms:
    """Record (or correct) what the licence will confer; refused once the decision is made,
    since the decision and its review cover these terms (they are in the draft's snapshot)."""
    case = get_case_for(actor, case_id, write=True)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.definition.category != "licence":
        raise DomainError("conflict", "只有行政许可案件登记许可证件信息。")
    if not may_take(actor, case, STAFF, head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以登记许可证件信息。")
    if had_role(case, StageRole.DECISION):
        raise DomainError("conflict", "许可决定已作出，许可证件信息不能再修改。")
    clean = _clean(case, data)
    values = {**payload(clean), "valid_from": clean.valid_from, "valid_until": clean.valid_until}
    terms, _ = LicenceTerms.objects.update_or_create(
        case=case, defaults={**values, "updated_at": timezone.now()}
    )
    append(
        event_type="licence.terms_set",
        payload={"number": case.number, **payload(terms)},
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return terms
