"""Writes of 公示: the publication pipeline, window posts, rules and the 年报.

Each public function is one state change in one durable transaction with its ledger entry.
``enqueue_decision`` is the exception: the engine's after-transition hook calls it inside the
case's own transaction, so the decision and its place in the queue commit together.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import require_agency_access, require_role
from sanxiang.ledger import services as ledger
from sanxiang.lib import workdays
from sanxiang.lib.errors import DomainError, ValidationFailed

from . import drafting, listeners, masking
from . import report as report_tables
from .models import (
    AnnualReport,
    ExclusionKind,
    MaskAction,
    MaskOverride,
    Post,
    Publication,
    PublicationRule,
    PublicationStatus,
    RuleCategory,
    WithdrawalKind,
)

PUBLISH_ROLES = (Role.OFFICER, Role.HEAD, Role.ADMIN)
# 行政处罚法 第48条 (withdraw within 3 days) read with 第85条 (三日 means working days).
WITHDRAW_WORKING_DAYS = 3


@dataclass(frozen=True)
class RuleData:
    days: int
    publish_summary_procedure: bool = True
    publish_warning_only: bool = True
    period_days: int = 365
    natural_person_period_days: int = 180
    warn_days: int = 3
    basis: str = ""


# DOMAIN.md defaults, used until an agency saves its own row: 7 working days for 许可 and 处罚
# (国办发〔2018〕118号; seed §四(一)4(2)), 20 for other decisions (seed §四(一)4).
DEFAULT_RULES = {
    RuleCategory.PENALTY: RuleData(days=7, basis="国办发〔2018〕118号：7个工作日内公开"),
    RuleCategory.LICENCE: RuleData(days=7, basis="国办发〔2018〕118号：7个工作日内公开"),
    RuleCategory.OTHER: RuleData(days=20, basis="国办发〔2018〕118号：20个工作日内公开"),
}
SUMMARY_PROCEDURE = "penalty_summary"


def rule_for(agency_id: int, category: str) -> RuleData:
    row = PublicationRule.objects.filter(agency_id=agency_id, category=category).first()
    if row is None:
        return DEFAULT_RULES[RuleCategory(category)]
    return RuleData(
        days=row.days,
        publish_summary_procedure=row.publish_summary_procedure,
        publish_warning_only=row.publish_warning_only,
        period_days=row.period_days,
        natural_person_period_days=row.natural_person_period_days,
        warn_days=row.warn_days,
        basis=row.basis,
    )


def _locked(publication_id: int) -> Publication:
    item = Publication.objects.select_for_update().filter(pk=publication_id).first()
    if item is None:
        raise DomainError("not_found", "未找到该公示事项。")
    return item


def _check_actor(actor: User, agency_id: int) -> None:
    require_role(actor, *PUBLISH_ROLES)
    require_agency_access(actor, agency_id, write=True)


def _automatic_exclusion(draft: drafting.Draft, rule: RuleData) -> tuple[str, str] | None:
    """Exclusions the system can see by itself (DOMAIN.md, "Never publish"; local options)."""
    if draft.has_minor:
        return ExclusionKind.MINOR, "当事人为未成年人，依法不予公开。"
    if draft.procedure == SUMMARY_PROCEDURE and not rule.publish_summary_procedure:
        return ExclusionKind.SUMMARY_PROCEDURE, "本机关公示规则：简易程序作出的决定不予公示。"
    if draft.warning_only and not rule.publish_warning_only:
        return ExclusionKind.WARNING_ONLY, "本机关公示规则：仅给予警告的决定不予公示。"
    return None


def _due_date(decided_on: date, days: int) -> tuple[date | None, int | None]:
    """The due date, or (None, year) when the calendar lacks a year: flagged, never guessed."""
    try:
        return workdays.add_working_days(decided_on, days), None
    except workdays.CalendarGap as gap:
        return None, gap.year


def enqueue_decision(*, case: Any, actor: User | None) -> Publication:
    """Put a just-made decision in the publication queue (inside the case's transaction)."""
    live = Publication.objects.filter(
        case_id=case.pk, status__in=[PublicationStatus.QUEUED, PublicationStatus.PUBLISHED]
    ).first()
    if live is not None:
        return live
    draft = drafting.draft_for(case)
    rule = rule_for(case.agency_id, draft.category)
    due_on, gap_year = _due_date(draft.decided_on, rule.days)
    excluded = _automatic_exclusion(draft, rule)
    period = rule.natural_person_period_days if draft.party_is_natural else rule.period_days
    item = Publication.objects.create(
        agency_id=case.agency_id,
        case_id=case.pk,
        status=PublicationStatus.EXCLUDED if excluded else PublicationStatus.QUEUED,
        exclusion_kind=excluded[0] if excluded else "",
        exclusion_reason=excluded[1] if excluded else "",
        category=draft.category,
        procedure=draft.procedure,
        doc_number=draft.doc_number,
        party=draft.party,
        party_is_natural=draft.party_is_natural,
        matter_name=draft.matter_name,
        outcome=draft.outcome,
        agency_name=draft.agency_name,
        decided_on=draft.decided_on,
        amount=draft.amount,
        source_text=draft.source_text,
        masked_text=draft.masked_text,
        search_text=drafting.search_text_of(
            draft.doc_number, draft.party, draft.matter_name, draft.outcome, draft.masked_text
        ),
        due_on=due_on,
        calendar_gap_year=gap_year,
        period_days=period,
        created_at=timezone.now(),
        is_demo=bool(getattr(case, "is_demo", False)),
    )
    ledger.append(
        event_type="disclosure.excluded" if excluded else "disclosure.queued",
        payload={
            "publication": item.pk,
            "doc_number": item.doc_number,
            "category": item.category,
            "due_on": due_on,
            "calendar_gap_year": gap_year,
            "exclusion": excluded[0] if excluded else None,
            "automatic": True,
        },
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return item


def _refuse_transition(item: Publication, action: str) -> DomainError:
    if item.status == PublicationStatus.PUBLISHED and item.published_at is not None:
        when = timezone.localtime(item.published_at)
        return DomainError("conflict", f"该决定已于{when:%Y-%m-%d %H:%M}公示，不能重复{action}。")
    label = PublicationStatus(item.status).label
    return DomainError("conflict", f"该事项当前状态为“{label}”，不能{action}。")


def _refresh_number(item: Publication) -> None:
    """The decision document may have been issued (with its 文号) after the item was queued."""
    number = drafting.decision_number(item.case)
    if number != item.doc_number:
        item.search_text = item.search_text.replace(
            drafting.search_fold(item.doc_number), drafting.search_fold(number)
        )
        item.doc_number = number


def _carry_overrides(item: Publication, old_text: str) -> None:
    """The 保密审查 was done on another text (the draft, before the 决定书 was issued): each
    stretch staff masked is masked again wherever it occurs in the new text; lifted masks are
    not carried (the rules mask them again). Both ways fail safe: never less masked."""
    for o in list(item.mask_overrides.all()):
        phrase = old_text[o.start : o.end]
        if o.action == MaskAction.ADD and phrase.strip():
            at = item.source_text.find(phrase)
            while at != -1:
                MaskOverride.objects.create(
                    publication=item,
                    action=MaskAction.ADD,
                    start=at,
                    end=at + len(phrase),
                    as_name=o.as_name,
                    reason=o.reason,
                    actor=o.actor,
                    created_at=o.created_at,
                )
                at = item.source_text.find(phrase, at + len(phrase))
        o.delete()


def _refresh_source(item: Publication) -> Any:
    """Take the full text from the issued 决定书 (issue 10 item 11), under the item's lock.

    The published text is the masked body of the decision as served; a decision changed after
    issue cannot change it without a new document (``documents.queries.issued_decision_body``
    refuses a document that no longer rebuilds to its ledgered hash). Without a decision
    document the draft's text stands in, as the case number stands in for the 文号.
    """
    doc = drafting.decision_document(item.case)
    if doc is None:
        return None
    text = drafting.document_text(doc)  # DomainError: not publishable as served
    if text != item.source_text:
        old_text = item.source_text
        Publication.objects.filter(pk=item.pk).update(source_text=text)
        item.source_text = text
        _carry_overrides(item, old_text)
        _remask(item)
    return doc


def _decision_titles(procedure: str) -> str:
    """The decision document(s) a procedure's publication is taken from (documents.kinds)."""
    return {
        "penalty_summary": "《当场行政处罚决定书》",
        "licence": "《准予行政许可决定书》或《不予行政许可决定书》",
        "coercion": "《查封扣押决定书》",
    }.get(procedure, "《行政处罚决定书》或《不予行政处罚决定书》")


@transaction.atomic(durable=True)
def publish(*, actor: User, publication_id: int) -> Publication:
    """Publish a queued decision on the portal; the content hash goes into the ledger."""
    item = _locked(publication_id)
    _check_actor(actor, item.agency_id)
    if item.status != PublicationStatus.QUEUED:
        raise _refuse_transition(item, "公示")
    if item.case.parties.filter(is_minor=True).exists():
        raise DomainError("conflict", "当事人为未成年人，依法不予公开，请作不予公示处理。")
    now = timezone.now()
    _refresh_number(item)
    document = _refresh_source(item)
    if document is None:
        raise DomainError(
            "decision_document_required",
            f"本案尚未制发{_decision_titles(item.procedure)}：公示的全文取自已送达的决定书，"
            "请先制发决定书再公示（公示内容须与送达的决定书一致）。",
        )
    item.content_sha256 = drafting.content_sha256(item)
    entry = ledger.append(
        event_type="disclosure.published",
        payload={
            "publication": item.pk,
            "doc_number": item.doc_number,
            "content_sha256": item.content_sha256,
            "content_fields": drafting.content_field_digests(item),
            # Schema 2: ``text`` is the masked body of this issued decision (its ledgered
            # content hash), or the draft's text when none was issued (both null).
            "document": document.pk if document is not None else None,
            "document_content_sha256": document.content_sha256 if document is not None else None,
            "published_at": now,
            "due_on": item.due_on,
            "late": bool(item.due_on and timezone.localdate(now) > item.due_on),
        },
        actor=actor,
        agency_id=item.agency_id,
        case_id=item.case_id,
    )
    updated = Publication.objects.filter(pk=item.pk, status=PublicationStatus.QUEUED).update(
        status=PublicationStatus.PUBLISHED,
        published_at=now,
        published_by=actor,
        ends_on=timezone.localdate(now) + timedelta(days=item.period_days),
        content_sha256=item.content_sha256,
        ledger_entry=entry,
        doc_number=item.doc_number,
        search_text=item.search_text,
    )
    if updated != 1:
        raise DomainError("conflict", "该决定已被他人处理，请刷新后查看。")
    item.refresh_from_db()
    listeners.notify("published", item)
    return item


@transaction.atomic(durable=True)
def exclude(*, actor: User, publication_id: int, kind: str, reason: str) -> Publication:
    """Stop a queued decision from being published, recording why (政府信息公开条例 第14、15条)."""
    item = _locked(publication_id)
    _check_actor(actor, item.agency_id)
    if kind not in ExclusionKind.values:
        raise ValidationFailed("请选择不予公示的原因。", field="kind")
    if not reason.strip():
        raise ValidationFailed("请填写不予公示的具体说明。", field="reason")
    if item.status != PublicationStatus.QUEUED:
        raise _refuse_transition(item, "作不予公示处理")
    Publication.objects.filter(pk=item.pk, status=PublicationStatus.QUEUED).update(
        status=PublicationStatus.EXCLUDED, exclusion_kind=kind, exclusion_reason=reason.strip()
    )
    ledger.append(
        event_type="disclosure.excluded",
        payload={"publication": item.pk, "kind": kind, "reason": reason.strip()},
        actor=actor,
        agency_id=item.agency_id,
        case_id=item.case_id,
    )
    item.refresh_from_db()
    return item


@transaction.atomic(durable=True)
def record_revocation(
    *, actor: User, publication_id: int, revoked_on: date, reason_kind: str, reason: str
) -> Publication:
    """Start the withdrawal clock: the decision was changed/revoked/found illegal or void."""
    item = _locked(publication_id)
    _check_actor(actor, item.agency_id)
    if reason_kind not in WithdrawalKind.values:
        raise ValidationFailed("请选择撤回原因。", field="reason_kind")
    if item.status != PublicationStatus.PUBLISHED:
        raise DomainError("conflict", "只有已公示的决定需要登记变更或撤销并撤回。")
    if revoked_on > timezone.localdate():
        raise ValidationFailed("决定变更或撤销的日期不能晚于今天。", field="revoked_on")
    due, gap_year = _due_date(revoked_on, WITHDRAW_WORKING_DAYS)
    if due is None:
        raise DomainError("calendar_gap", str(workdays.CalendarGap(gap_year or revoked_on.year)))
    Publication.objects.filter(pk=item.pk).update(
        revoked_on=revoked_on,
        withdraw_due_on=due,
        withdrawal_kind=reason_kind,
        withdrawal_reason=reason.strip(),
    )
    ledger.append(
        event_type="disclosure.revocation_recorded",
        payload={"publication": item.pk, "revoked_on": revoked_on, "withdraw_by": due},
        actor=actor,
        agency_id=item.agency_id,
        case_id=item.case_id,
    )
    item.refresh_from_db()
    return item


@transaction.atomic(durable=True)
def withdraw(
    *,
    actor: User,
    publication_id: int,
    reason_kind: str,
    reason: str,
    revoked_on: date | None = None,
) -> Publication:
    """Take a published decision down with a public notice of the reason (行政处罚法 第48条)."""
    item = _locked(publication_id)
    _check_actor(actor, item.agency_id)
    if reason_kind not in WithdrawalKind.values:
        raise ValidationFailed(
            "请选择撤回原因（变更、撤销、确认违法或确认无效）。", field="reason_kind"
        )
    if not reason.strip():
        raise ValidationFailed("请填写向公众说明的撤回理由。", field="reason")
    if item.status == PublicationStatus.WITHDRAWN:
        raise DomainError("conflict", "该决定已撤回，不能重复撤回。")
    if item.status != PublicationStatus.PUBLISHED:
        label = PublicationStatus(item.status).label
        raise DomainError("conflict", f"该决定从未公示（当前状态：{label}），无需撤回。")
    now = timezone.now()
    revoked = revoked_on or item.revoked_on
    late = bool(item.withdraw_due_on and timezone.localdate(now) > item.withdraw_due_on)
    Publication.objects.filter(pk=item.pk, status=PublicationStatus.PUBLISHED).update(
        status=PublicationStatus.WITHDRAWN,
        withdrawal_kind=reason_kind,
        withdrawal_reason=reason.strip(),
        withdrawn_at=now,
        revoked_on=revoked,
    )
    ledger.append(
        event_type="disclosure.withdrawn",
        payload={
            "publication": item.pk,
            "kind": reason_kind,
            "reason": reason.strip(),
            "revoked_on": revoked,
            "late": late,
        },
        actor=actor,
        agency_id=item.agency_id,
        case_id=item.case_id,
    )
    item.refresh_from_db()
    listeners.notify("withdrawn", item)
    return item


@transaction.atomic(durable=True)
def expire_due(*, today: date) -> int:
    """Take down items whose publication period ended, recording each (DOMAIN.md)."""
    due = list(
        Publication.objects.select_for_update(skip_locked=True)
        .filter(status=PublicationStatus.PUBLISHED, ends_on__lt=today)
        .values_list("pk", "agency_id", "case_id", "ends_on")
    )
    now = timezone.now()
    for pk, agency_id, case_id, ends_on in due:
        Publication.objects.filter(pk=pk, status=PublicationStatus.PUBLISHED).update(
            status=PublicationStatus.EXPIRED, expired_at=now
        )
        ledger.append(
            event_type="disclosure.expired",
            payload={"publication": pk, "ended_on": ends_on},
            agency_id=agency_id,
            case_id=case_id,
        )
    if due:
        from . import portal_cache

        transaction.on_commit(portal_cache.invalidate)  # expired items leave the cached lists
    return len(due)


# --- 保密审查: staff adjust the masking before publishing ------------------------------------


def _queued_for_masking(actor: User, publication_id: int) -> Publication:
    item = _locked(publication_id)
    _check_actor(actor, item.agency_id)
    if item.status != PublicationStatus.QUEUED:
        raise _refuse_transition(item, "调整脱敏")
    _refresh_source(item)  # the 保密审查 works on the issued 决定书's text once there is one
    return item


@transaction.atomic(durable=True)
def take_issued_text(*, actor: User, publication_id: int) -> Publication:
    """Bring a queued item's full text up to its issued 决定书 (issue 10 item 11), as every
    保密审查 action does first: the positions staff then mask or lift are those of that text.
    Writes only the text and its masking (no ledger entry: publication ledgers the text)."""
    return _queued_for_masking(actor, publication_id)


def _remask(item: Publication) -> Publication:
    """Recompute the masked text (and what search sees) from the rules and the overrides."""
    spans = masking.spans_of(item)
    item.masked_text = masking.masked_text(item.source_text, spans)
    item.search_text = drafting.search_text_of(
        item.doc_number, item.party, item.matter_name, item.outcome, item.masked_text
    )
    Publication.objects.filter(pk=item.pk).update(
        masked_text=item.masked_text, search_text=item.search_text
    )
    return item


def _span_payload(item: Publication, start: int, end: int, reason: str) -> dict[str, Any]:
    # The ledger keeps the digest of the stretch, never the personal data itself.
    digest = hashlib.sha256(item.source_text[start:end].encode("utf-8")).hexdigest()
    return {"publication": item.pk, "start": start, "end": end, "sha256": digest, "reason": reason}


@transaction.atomic(durable=True)
def add_mask(
    *, actor: User, publication_id: int, phrase: str, reason: str, as_name: bool = False
) -> list[MaskOverride]:
    """Mask every occurrence of ``phrase`` in the decision's text: what the rules missed (a
    witness's or agent's name known to the case, a nickname, a described home)."""
    item = _queued_for_masking(actor, publication_id)
    phrase = phrase.strip()
    if not reason.strip():
        raise ValidationFailed("请填写增加遮盖的理由。", field="reason")
    text = item.source_text
    starts = []
    at = text.find(phrase) if phrase else -1
    while at != -1:
        starts.append(at)
        at = text.find(phrase, at + len(phrase))
    if not starts:
        raise ValidationFailed("决定书原文中没有这段文字，请从原文中复制。", field="phrase")
    now = timezone.now()
    made = [
        MaskOverride.objects.create(
            publication=item,
            action=MaskAction.ADD,
            start=start,
            end=start + len(phrase),
            as_name=as_name,
            reason=reason.strip(),
            actor=actor,
            created_at=now,
        )
        for start in starts
    ]
    _remask(item)
    for o in made:
        ledger.append(
            event_type="disclosure.mask_added",
            payload={**_span_payload(item, o.start, o.end, o.reason), "as_name": as_name},
            actor=actor,
            agency_id=item.agency_id,
            case_id=item.case_id,
        )
    return made


@transaction.atomic(durable=True)
def lift_mask(
    *, actor: User, publication_id: int, start: int, end: int, reason: str
) -> Publication:
    """Lift one mask the rules set (a company car's plate, an officer named as 工作人员), or
    undo a staff addition. A minor's name stays masked whatever the reason (DOMAIN.md)."""
    item = _queued_for_masking(actor, publication_id)
    if not reason.strip():
        raise ValidationFailed("请填写解除遮盖的理由。", field="reason")
    span = next((s for s in masking.spans_of(item) if (s.start, s.end) == (start, end)), None)
    if span is None:
        raise ValidationFailed("该处没有遮盖，或页面已过期，请刷新后重试。", field="start")
    if span.is_minor:
        raise DomainError("conflict", "未成年人的姓名依法不得公开，不能解除遮盖。")
    if span.override_id is not None:
        MaskOverride.objects.filter(pk=span.override_id).delete()
        event = "disclosure.mask_addition_undone"
    else:
        MaskOverride.objects.create(
            publication=item,
            action=MaskAction.LIFT,
            start=start,
            end=end,
            reason=reason.strip(),
            actor=actor,
            created_at=timezone.now(),
        )
        event = "disclosure.mask_lifted"
    _remask(item)
    ledger.append(
        event_type=event,
        payload={**_span_payload(item, start, end, reason.strip()), "kind": span.kind},
        actor=actor,
        agency_id=item.agency_id,
        case_id=item.case_id,
    )
    return item


# --- configuration: rules and posts ------------------------------------------------------------


@transaction.atomic(durable=True)
def save_rule(*, actor: User, agency_id: int, category: str, data: RuleData) -> PublicationRule:
    require_role(actor, Role.ADMIN)
    require_agency_access(actor, agency_id, write=True)
    if category not in RuleCategory.values:
        raise ValidationFailed("决定类别无效。", field="category")
    if data.days <= 0 or data.period_days <= 0 or data.natural_person_period_days <= 0:
        raise ValidationFailed("期限必须是正整数。", field="days")
    row, _ = PublicationRule.objects.update_or_create(
        agency_id=agency_id, category=category, defaults=asdict(data)
    )
    ledger.append(
        event_type="disclosure.rule_saved",
        payload={"category": category, **asdict(data)},
        actor=actor,
        agency_id=agency_id,
    )
    return row


@dataclass(frozen=True)
class PostData:
    window: str
    name: str
    duties: str
    position: str = ""
    officer_id: int | None = None
    enforcement_kinds: str = ""
    sample_materials: str = ""
    progress_query: str = ""
    consultation: str = ""
    complaint: str = ""
    is_active: bool = True


@transaction.atomic(durable=True)
def save_post(*, actor: User, agency_id: int, data: PostData, post_id: int | None = None) -> Post:
    """Create or edit a 岗位信息公示牌."""
    require_role(actor, Role.ADMIN, Role.HEAD)
    require_agency_access(actor, agency_id, write=True)
    for field in ("window", "name", "duties"):
        if not getattr(data, field).strip():
            raise ValidationFailed("窗口、姓名和岗位职责不能为空。", field=field)
    if post_id is None:
        post = Post.objects.create(agency_id=agency_id, **asdict(data))
    else:
        found = Post.objects.select_for_update().filter(pk=post_id, agency_id=agency_id).first()
        if found is None:
            raise DomainError("not_found", "未找到该岗位。")
        for key, value in asdict(data).items():
            setattr(found, key, value)
        found.save()
        post = found
    ledger.append(
        event_type="disclosure.post_saved",
        payload={"post": post.pk, **asdict(data)},
        actor=actor,
        agency_id=agency_id,
    )
    return post


# --- 年报 -------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def save_report_narrative(
    *, actor: User, agency_id: int, year: int, narrative: str
) -> AnnualReport:
    require_role(actor, Role.ADMIN, Role.HEAD)
    require_agency_access(actor, agency_id, write=True)
    report, _ = AnnualReport.objects.get_or_create(agency_id=agency_id, year=year)
    if report.published_at is not None:
        raise DomainError("conflict", "年报已发布，不能再修改说明。")
    report.narrative = narrative.strip()
    report.save(update_fields=["narrative", "updated_at"])
    ledger.append(
        event_type="disclosure.report_narrative_saved",
        payload={"year": year, "narrative": report.narrative},
        actor=actor,
        agency_id=agency_id,
    )
    return report


@transaction.atomic(durable=True)
def publish_report(*, actor: User, agency_id: int, year: int) -> AnnualReport:
    """Publish last year's 年报 (due by 31 January: 国办发〔2018〕118号)."""
    require_role(actor, Role.ADMIN, Role.HEAD)
    require_agency_access(actor, agency_id, write=True)
    if year >= timezone.localdate().year:
        raise ValidationFailed("只能发布已结束年度的年报。", field="year")
    report, _ = AnnualReport.objects.select_for_update().get_or_create(
        agency_id=agency_id, year=year
    )
    if report.published_at is not None:
        raise DomainError("conflict", f"{year}年度年报已发布，不能重复发布。")
    if not report.narrative:
        raise ValidationFailed("请先填写年报的总体情况说明。", field="narrative")
    tables = report_tables.tables_for(agency_id=agency_id, year=year)
    report.published_at = timezone.now()
    report.published_by = actor
    report.save(update_fields=["published_at", "published_by", "updated_at"])
    ledger.append(
        event_type="disclosure.report_published",
        payload={"year": year, "tables": tables.as_payload(), "narrative": report.narrative},
        actor=actor,
        agency_id=agency_id,
    )
    listeners.notify("report_published", report)
    return report
