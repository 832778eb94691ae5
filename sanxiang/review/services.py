"""Every write of 法制审核: catalogue, major flag, submission, assignment, opinion, deadline
extension, the unit's dispute and the 集体讨论. Each is one durable transaction with its ledger
entry; views, the API, commands and tests call these functions only."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import home_agency, require_agency_access, require_role
from sanxiang.cases.models import PENALTY_KINDS, Case
from sanxiang.cases.queries import get_case_for, had_role, is_on_team
from sanxiang.directory.models import Agency, Officer
from sanxiang.ledger.services import append
from sanxiang.lib import workdays
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.lib.money import MoneyError, parse_money
from sanxiang.procedures.definitions import StageRole

from . import checklist, drafts, opinion, queries
from .collective import checked_minutes
from .models import (
    CaseReview,
    CatalogueVersion,
    Discussion,
    DiscussionOutcome,
    MajorFlag,
    MajorReason,
    ReviewRound,
    RoundStatus,
)

THRESHOLDS = ("fine_natural", "fine_organisation", "confiscation_value")


@dataclass
class CatalogueData:
    """One version of the 目录清单; thresholds may arrive as text from a form or the API."""

    fine_natural: Decimal | str = Decimal("10000.00")
    fine_organisation: Decimal | str = Decimal("100000.00")
    confiscation_value: Decimal | str = Decimal("50000.00")
    licence_revocation: bool = True
    suspension: bool = True
    qualification_lowering: bool = True
    hearing_held: bool = True
    outside_benchmark: bool = True
    licence_refusal: bool = True
    licence_withdrawal: bool = True
    seizure_auction: bool = True
    review_days: int = 7
    extension_days: int = 3
    warn_days: int = 2


def _clean_catalogue(data: CatalogueData) -> dict[str, Any]:
    values = asdict(data)
    for name in THRESHOLDS:
        label = str(getattr(CatalogueVersion._meta.get_field(name), "verbose_name", name))
        try:
            values[name] = parse_money(values[name])
        except MoneyError as error:
            raise ValidationFailed(f"{label}：{error}", field=name) from None
    for name in ("review_days", "extension_days", "warn_days"):
        if not isinstance(values[name], int) or values[name] < 0:
            raise ValidationFailed("天数须为不小于0的整数。", field=name)
    if values["review_days"] < 1:
        raise ValidationFailed("审核时限至少为1个工作日。", field="review_days")
    return values


@transaction.atomic(durable=True)
def publish_catalogue(
    *, actor: User | None, agency_id: int, data: CatalogueData, valid_from: date, note: str = ""
) -> CatalogueVersion:
    """Publish a new version of the agency's 法制审核目录清单; the current one ends the day
    before. Old versions stay, so the portal can show the list as of any date."""
    return publish_catalogue_row(
        actor=actor, agency_id=agency_id, data=data, valid_from=valid_from, note=note
    )


def publish_catalogue_row(
    *, actor: User | None, agency_id: int, data: CatalogueData, valid_from: date, note: str = ""
) -> CatalogueVersion:
    """``publish_catalogue`` inside the caller's transaction (the sheet import)."""
    if actor is not None:
        require_role(actor, Role.ADMIN, Role.HEAD)
        require_agency_access(actor, agency_id, write=True)
    agency = Agency.objects.select_for_update().filter(pk=agency_id).first()
    if agency is None:
        raise DomainError("not_found", "未找到该执法主体。")
    values = _clean_catalogue(data)
    current = CatalogueVersion.objects.filter(agency=agency, valid_to__isnull=True).first()
    if current is not None:
        if valid_from <= current.valid_from:
            raise ValidationFailed(
                f"新版本生效日期须晚于现行版本的生效日期（{current.valid_from:%Y年%m月%d日}）。",
                field="valid_from",
            )
        if not note.strip():
            raise ValidationFailed("请说明本次修订的原因。", field="note")
        CatalogueVersion.objects.filter(pk=current.pk).update(valid_to=valid_from)
    version = CatalogueVersion.objects.create(
        agency=agency,
        number=(current.number + 1) if current else 1,
        valid_from=valid_from,
        change_note=note.strip() or "首次发布",
        created_by=actor,
        **values,
    )
    append(
        event_type="review.catalogue_published",
        payload={"version": version.number, "valid_from": valid_from, "note": note, **values},
        actor=actor,
        agency_id=agency.pk,
    )
    return version


def _log(case: Case, actor: Any, event_type: str, payload: dict[str, Any]) -> None:
    """The ledger entry of a step of a case's review, in the caller's transaction."""
    append(
        event_type=event_type,
        payload=payload,
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )


def _file_for(case: Case) -> CaseReview:
    """The case's review file, locked (created on first use)."""
    file, _ = CaseReview.objects.get_or_create(case=case, defaults={"agency_id": case.agency_id})
    return CaseReview.objects.select_for_update().get(pk=file.pk)


def mark_major(case: Case, *, actor: Any, reasons: list[str]) -> None:
    """Set the sticky ``major`` mark the database trigger reads (inside the caller's
    transaction); recorded once in the ledger."""
    file = _file_for(case)
    if file.major:
        return
    CaseReview.objects.filter(pk=file.pk).update(major=True)
    _log(case, actor, "review.marked_major", {"number": case.number, "reasons": reasons})


@transaction.atomic(durable=True)
def flag_major(*, actor: User, case_id: int, reason: str, note: str) -> MajorFlag:
    """The head or the case unit flags a case as major by hand (重大公共利益、疑难复杂 …)."""
    case = get_case_for(actor, case_id, write=True)
    if not (actor.role == Role.HEAD or is_on_team(actor, case)):
        raise DomainError("forbidden", "只有负责人或本案办案人员可以认定重大执法决定。")
    if reason not in MajorReason.values:
        raise ValidationFailed("请选择认定理由。", field="reason")
    if not note.strip():
        raise ValidationFailed("请写明认定为重大执法决定的具体情况。", field="note")
    flag = MajorFlag.objects.create(
        case=case, reason=reason, note=note.strip(), flagged_by=actor, flagged_at=timezone.now()
    )
    label = str(MajorReason(reason).label)
    mark_major(case, actor=actor, reasons=[label])
    _log(
        case,
        actor,
        "review.flagged_major",
        {"number": case.number, "reason": reason, "note": flag.note},
    )
    return flag


def _missing_materials(case: Case, draft: Any, materials: dict[str, str]) -> list[str]:
    """The completeness check: what the case unit must hand in before the review starts."""
    labels = checklist.MATERIAL_LABELS
    required = ["case_file", "evidence_list"]
    if case.definition.category != "licence":
        required.append("discretion_reasoning")
    if had_role(case, StageRole.HEARING):
        required.append("hearing_record")
    missing = [labels[k] for k in required if not str(materials.get(k, "")).strip()]
    if not draft.text.strip():
        missing.append(labels["draft_decision"])
    if not draft.legal_basis.strip():
        missing.append("决定草稿的法律依据")
    # 行政处罚法 第59条第（二）项: a penalty names the provision violated, apart from the one
    # applied; the 决定书 is refused without it (documents.services), so the review sees it too.
    if draft.kind in PENALTY_KINDS and not draft.violated_provision.strip():
        missing.append("决定草稿违反的条款（行政处罚法 第59条）")
    return missing


def _due_on(case: Case, start: date, days: int) -> date:
    try:
        return workdays.add_working_days(start, days)
    except workdays.CalendarGap as gap:
        raise DomainError("calendar_gap", str(gap)) from None


def _submit(
    *, actor: User, case_id: int, materials: dict[str, str], response: str, again: bool
) -> ReviewRound:
    case = get_case_for(actor, case_id, write=True)
    if not is_on_team(actor, case):
        raise DomainError("forbidden", "只有本案办案人员可以报送法制审核。")
    if had_role(case, StageRole.DECISION):
        raise DomainError("conflict", "本案已作出决定，不能再报送法制审核。")
    draft = queries.draft_of(case)
    if draft is None:
        raise ValidationFailed("请先保存决定草稿，再报送法制审核。", field="draft")
    missing = _missing_materials(case, draft, materials)
    if missing:
        raise ValidationFailed(f"报送材料不齐全，缺少：{'、'.join(missing)}。", field="materials")
    file = _file_for(case)
    previous = file.rounds.order_by("-number").first()
    if previous is not None and previous.is_open:
        raise DomainError("conflict", f"第{previous.number}轮法制审核尚未结束，不能重复报送。")
    if not again and previous is not None:
        raise DomainError("conflict", "本案已报送过法制审核，请按审核意见修改后“重新报审”。")
    if again and previous is None:
        raise DomainError("conflict", "本案尚未报送法制审核，请先报审。")
    if again and not response.strip():
        raise ValidationFailed("请说明按审核意见修改的情况。", field="response")
    if (
        previous is not None
        and previous.status == RoundStatus.PASSED
        and previous.fingerprint == draft.fingerprint
    ):
        raise DomainError("conflict", "上一轮审核已同意，且决定草稿未修改，无需重新报审。")
    reasons = queries.rule_reasons(case)
    if reasons:
        mark_major(case, actor=actor, reasons=reasons)
    snap = drafts.snapshot(draft)
    catalogue = queries.effective_catalogue(case.agency, timezone.localdate())
    now = timezone.now()
    # A resubmission goes back to the reviewer of the previous round (if still a reviewer).
    reviewer = previous.reviewer if previous is not None else None
    if reviewer is not None and not reviewer.is_reviewer:
        reviewer = None
    round_ = ReviewRound.objects.create(
        review=file,
        number=(previous.number + 1) if previous else 1,
        status=RoundStatus.ASSIGNED if reviewer else RoundStatus.SUBMITTED,
        submitted_by=actor,
        submitted_at=now,
        response=response.strip(),
        materials={k: str(materials.get(k, "")).strip() for k, _ in checklist.MATERIALS}
        | {"draft_decision": draft.text},
        draft=snap,
        fingerprint=draft.fingerprint,
        draft_revision=draft.revision,
        diff=drafts.diff(previous.draft, snap) if previous else [],
        major_reasons=reasons,
        reviewer=reviewer,
        assigned_at=now if reviewer else None,
        due_on=_due_on(case, timezone.localdate(), catalogue.review_days),
    )
    _log(
        case,
        actor,
        "review.resubmitted" if again else "review.submitted",
        {
            "number": case.number,
            "round": round_.number,
            "fingerprint": round_.fingerprint,
            "draft_revision": round_.draft_revision,
            "materials": sorted(k for k, v in round_.materials.items() if v),
            "changed": [c["field"] for c in round_.diff],
            "response": round_.response,
            "major_reasons": reasons,
            "due_on": round_.due_on,
            "reviewer": reviewer.certificate_no if reviewer else None,
        },
    )
    return round_


@transaction.atomic(durable=True)
def submit(*, actor: User, case_id: int, materials: dict[str, str]) -> ReviewRound:
    """The case unit submits the draft decision with its materials (first round)."""
    return _submit(actor=actor, case_id=case_id, materials=materials, response="", again=False)


@transaction.atomic(durable=True)
def resubmit(*, actor: User, case_id: int, materials: dict[str, str], response: str) -> ReviewRound:
    """The case unit resubmits the revised draft; the new round keeps the diff."""
    return _submit(actor=actor, case_id=case_id, materials=materials, response=response, again=True)


def _round_for(actor: User, round_id: int) -> tuple[ReviewRound, Case]:
    round_ = ReviewRound.objects.select_related("review", "reviewer").filter(pk=round_id).first()
    if round_ is None:
        raise DomainError("not_found", "未找到该审核轮次。")
    case = get_case_for(actor, round_.review.case_id, write=True)
    return round_, case


def check_reviewer(officer: Officer, case: Case) -> None:
    """Same agency's 法制股, never on the case team, first-timers hold 法律职业资格."""
    if not queries.reviewers_of(case.agency).filter(pk=officer.pk).exists():
        raise ValidationFailed("审核人员须为本机关法制股的法制审核人员。", field="reviewer_id")
    if queries.on_case_team(officer, case):
        raise DomainError("forbidden", f"{officer.name}是本案办案人员，不能审核本案。")
    # 行政处罚法 第58条第二款: 初次从事法制审核的人员，应当通过国家统一法律职业资格考试.
    if queries.is_first_review(officer) and not officer.legal_qualification_no.strip():
        raise DomainError(
            "forbidden",
            f"{officer.name}初次从事法制审核，须取得法律职业资格（行政处罚法 第58条）。",
        )


@transaction.atomic(durable=True)
def assign(*, actor: User, round_id: int, reviewer_id: int, reason: str = "") -> ReviewRound:
    """Assign a round to a reviewer; a reviewer may take a waiting round for themselves, the
    head may assign or reassign to anyone eligible."""
    round_, case = _round_for(actor, round_id)
    require_role(actor, Role.HEAD, Role.REVIEWER)
    if not round_.is_open:
        raise DomainError("conflict", f"第{round_.number}轮审核已出具意见，不能再分配。")
    officer = Officer.objects.filter(pk=reviewer_id).first()
    if officer is None:
        raise ValidationFailed("未找到该审核人员。", field="reviewer_id")
    reassign = round_.status == RoundStatus.ASSIGNED
    if actor.role != Role.HEAD:
        if reassign:
            raise DomainError("forbidden", "已分配的审核只能由负责人改派。")
        if officer.user_id != actor.pk:
            raise DomainError("forbidden", "法制审核人员只能领取分配给自己的审核。")
    if reassign and not reason.strip():
        raise ValidationFailed("改派须说明理由。", field="reason")
    if reassign and officer.pk == round_.reviewer_id:
        raise DomainError("conflict", f"本轮已由{officer.name}审核。")
    check_reviewer(officer, case)
    now = timezone.now()
    updated = ReviewRound.objects.filter(
        pk=round_.pk, status=round_.status, reviewer_id=round_.reviewer_id
    ).update(status=RoundStatus.ASSIGNED, reviewer=officer, assigned_by=actor, assigned_at=now)
    if updated != 1:
        raise DomainError("conflict", "该审核已被他人分配或已出具意见，请刷新后再操作。")
    CaseReview.objects.filter(pk=round_.review_id).update(reviewer=officer)
    _log(
        case,
        actor,
        "review.reassigned" if reassign else "review.assigned",
        {
            "number": case.number,
            "round": round_.number,
            "reviewer": officer.certificate_no,
            "reviewer_name": officer.name,
            "previous": round_.reviewer.certificate_no if round_.reviewer else None,
            "reason": reason.strip(),
        },
    )
    round_.refresh_from_db()
    return round_


def _validate_marks(marks: list[checklist.Mark]) -> list[checklist.Mark]:
    by_code = {m.code: m for m in marks}
    unknown = set(by_code) - set(checklist.CODES)
    if unknown or len(by_code) != len(marks):
        raise ValidationFailed("审核要点有误或重复。", field="checklist")
    missing = [checklist.LABELS[c] for c in checklist.CODES if c not in by_code]
    if missing:
        raise ValidationFailed(f"以下审核要点未填写：{'、'.join(missing)}。", field="checklist")
    for code in checklist.CODES:
        mark = by_code[code]
        if not mark.passed and not mark.problem.strip():
            raise ValidationFailed(
                f"“{checklist.LABELS[code]}”未通过，须写明存在的问题。", field=f"checklist.{code}"
            )
    return [
        checklist.Mark(c, by_code[c].passed, by_code[c].problem.strip()) for c in checklist.CODES
    ]


def _check_opinion(
    actor: User,
    round_id: int,
    marks: list[checklist.Mark],
    agree: bool,
    opinion_text: str,
    required_changes: str,
) -> tuple[ReviewRound, Case, Officer, list[checklist.Mark]]:
    round_, case = _round_for(actor, round_id)
    require_role(actor, Role.REVIEWER)
    me = queries.officer_of(actor)
    if me is None or round_.reviewer_id != me.pk:
        raise DomainError("forbidden", "只有被分配的审核人员可以出具本轮审核意见。")
    if queries.on_case_team(me, case):
        raise DomainError("forbidden", f"{me.name}是本案办案人员，不能审核本案。")
    marks = _validate_marks(marks)
    if agree and any(not m.passed for m in marks):
        raise ValidationFailed("存在未通过的审核要点，不能出具同意意见。", field="agree")
    if not opinion_text.strip():
        raise ValidationFailed("请填写审核意见。", field="opinion")
    if not agree and not required_changes.strip():
        raise ValidationFailed("请写明需要修改的内容。", field="required_changes")
    return round_, case, me, marks


def review(
    *,
    actor: User,
    round_id: int,
    marks: list[checklist.Mark],
    agree: bool,
    opinion_text: str,
    required_changes: str = "",
) -> ReviewRound:
    """The assigned reviewer's opinion on the nine points, with the signed PDF 意见书.

    The 意见书 is rendered and stored first, outside any transaction (issue 9, item 7); the
    short transaction that follows checks everything again and records the opinion, the PDF's
    name and hash and the ledger entry together. If it is refused (the round was reassigned or
    answered meanwhile), the stored PDF is referenced by nothing and ``lib.orphans`` removes it.
    """
    for _ in range(OPTIMISTIC_ATTEMPTS):
        round_, case, me, marks = _check_opinion(
            actor, round_id, marks, agree, opinion_text, required_changes
        )
        now = timezone.now()
        seq = _opinion_seq(case, now, peek=True)
        pdf, name = _render_opinion(
            case, round_, me, marks, agree, opinion_text, required_changes, now, seq
        )
        try:
            return _record_opinion(
                actor=actor,
                round_id=round_id,
                marks=marks,
                agree=agree,
                opinion_text=opinion_text,
                required_changes=required_changes,
                at=now,
                rendered=(seq, pdf, name),
            )
        except _NumberTaken:
            continue
    return _record_opinion(
        actor=actor,
        round_id=round_id,
        marks=marks,
        agree=agree,
        opinion_text=opinion_text,
        required_changes=required_changes,
        at=timezone.now(),
        rendered=None,
    )


# The 意见书 is numbered like the other documents of the agency (兴民宗法审字〔2026〕第1号), from
# the same gap-free counters (documents.services.allocate_number); the number is peeked before
# rendering and taken in the committing transaction, as issue_document does.
OPINION_NUMBER_KIND = "review_opinion"
OPINION_NUMBER_WORD = "法审"
OPTIMISTIC_ATTEMPTS = 3


class _NumberTaken(Exception):
    """Another opinion took the peeked number between rendering and committing."""


def _opinion_seq(case: Case, at: datetime, *, peek: bool) -> int | None:
    from sanxiang.documents.services import allocate_number, peek_number

    if not case.agency.short_name:
        return None
    year = timezone.localdate(at).year
    if peek:
        return peek_number(case.agency_id, year, OPINION_NUMBER_KIND)
    return allocate_number(agency_id=case.agency_id, year=year, kind=OPINION_NUMBER_KIND)


def opinion_number(case: Case, at: datetime, seq: int | None) -> str:
    from sanxiang.documents.services import format_number

    if seq is None:
        return ""
    year = timezone.localdate(at).year
    return format_number(case.agency.short_name, OPINION_NUMBER_WORD, year, seq)


def _render_opinion(
    case: Case,
    round_: ReviewRound,
    me: Officer,
    marks: list[checklist.Mark],
    agree: bool,
    opinion_text: str,
    required_changes: str,
    at: datetime,
    seq: int | None,
) -> tuple[opinion.RenderedOpinion, str]:
    pdf = opinion.render(
        case=case,
        round_=round_,
        reviewer_name=me.name,
        agreed=agree,
        marks=marks,
        opinion=opinion_text.strip(),
        required_changes=required_changes.strip() if not agree else "",
        at=at,
        number=opinion_number(case, at, seq),
    )
    return pdf, opinion.store(pdf, case_id=case.pk, round_number=round_.number)


@transaction.atomic(durable=True)
def _record_opinion(
    *,
    actor: User,
    round_id: int,
    marks: list[checklist.Mark],
    agree: bool,
    opinion_text: str,
    required_changes: str,
    at: datetime,
    rendered: tuple[int | None, opinion.RenderedOpinion, str] | None,
) -> ReviewRound:
    round_, case, me, marks = _check_opinion(
        actor, round_id, marks, agree, opinion_text, required_changes
    )
    # Lock the round first: an opinion given meanwhile is a conflict before any renumbering.
    still_open = ReviewRound.objects.select_for_update().filter(
        pk=round_.pk, status=RoundStatus.ASSIGNED, reviewer=me
    )
    if not still_open.exists():
        raise DomainError("conflict", "本轮审核已出具意见或已改派，请刷新后再操作。")
    seq = _opinion_seq(case, at, peek=False)
    if rendered is None:  # after lost races: render while holding the counter's lock
        pdf, pdf_name = _render_opinion(
            case, round_, me, marks, agree, opinion_text, required_changes, at, seq
        )
    else:
        peeked, pdf, pdf_name = rendered
        if peeked != seq:
            raise _NumberTaken
    failed = [m for m in marks if not m.passed]
    status = RoundStatus.PASSED if agree else RoundStatus.FAILED
    # The guarded update: of two opinions on the same round exactly one is recorded.
    updated = ReviewRound.objects.filter(
        pk=round_.pk, status=RoundStatus.ASSIGNED, reviewer=me
    ).update(
        status=status,
        checklist=[asdict(m) for m in marks],
        opinion=opinion_text.strip(),
        required_changes=required_changes.strip() if not agree else "",
        reviewed_at=at,
        opinion_pdf=pdf_name,
        pdf_sha256=pdf.sha256,
    )
    if updated != 1:
        raise DomainError("conflict", "本轮审核已出具意见或已改派，请刷新后再操作。")
    round_.refresh_from_db()
    _log(
        case,
        actor,
        "review.opinion",
        {
            "number": case.number,
            "round": round_.number,
            "outcome": status,
            "failed_points": [m.code for m in failed],
            "opinion": round_.opinion,
            "required_changes": round_.required_changes,
            "fingerprint": round_.fingerprint,
            "reviewer": me.certificate_no,
            "reviewer_name": me.name,
            "reviewed_at": at,
            "opinion_number": opinion_number(case, at, seq),
            "pdf_sha256": pdf.sha256,
        },
    )
    if not agree and queries.escalated(round_.review):
        _log(
            case,
            actor,
            "review.escalated",
            {"number": case.number, "round": round_.number, "why": "failed_rounds"},
        )
    round_.refresh_from_db()
    return round_


@transaction.atomic(durable=True)
def extend_deadline(*, actor: User, round_id: int, reason: str) -> ReviewRound:
    """The head approves the extension of an open review (+3 working days by default)."""
    round_, case = _round_for(actor, round_id)
    require_role(actor, Role.HEAD)
    if not reason.strip():
        raise ValidationFailed("请填写延长审核期限的理由。", field="reason")
    catalogue = queries.effective_catalogue(case.agency, timezone.localdate())
    if catalogue.extension_days < 1:
        raise DomainError("conflict", "本机关目录清单未设置可延长的审核期限。")
    due_on = _due_on(case, round_.due_on, catalogue.extension_days)
    updated = ReviewRound.objects.filter(
        pk=round_.pk, extended=False, status__in=[RoundStatus.SUBMITTED, RoundStatus.ASSIGNED]
    ).update(extended=True, due_on=due_on, extension_reason=reason.strip())
    if updated != 1:
        raise DomainError("conflict", "本轮审核已延长过期限或已出具意见。")
    _log(
        case,
        actor,
        "review.deadline_extended",
        {"number": case.number, "round": round_.number, "due_on": due_on, "reason": reason},
    )
    round_.refresh_from_db()
    return round_


@transaction.atomic(durable=True)
def dispute(*, actor: User, round_id: int, reason: str) -> CaseReview:
    """The case unit disagrees with a failed opinion: the case goes to the head."""
    round_, case = _round_for(actor, round_id)
    if not is_on_team(actor, case):
        raise DomainError("forbidden", "只有本案办案人员可以对审核意见提出异议。")
    latest = round_.review.rounds.order_by("-number").first()
    if round_.status != RoundStatus.FAILED or latest is None or latest.pk != round_.pk:
        raise DomainError("conflict", "只能对最近一轮“存在问题”的审核意见提出异议。")
    if not reason.strip():
        raise ValidationFailed("请写明异议理由。", field="reason")
    CaseReview.objects.filter(pk=round_.review_id).update(disputed=True)
    _log(
        case,
        actor,
        "review.disputed",
        {"number": case.number, "round": round_.number, "reason": reason.strip()},
    )
    return CaseReview.objects.get(pk=round_.review_id)


@transaction.atomic(durable=True)
def record_discussion(
    *,
    actor: User,
    case_id: int,
    held_on: date,
    attendees: list[str],
    outcome: str,
    minutes: str,
) -> Discussion:
    """The head records the 集体讨论 (行政处罚法 第57条) on a persistent disagreement.

    No outcome opens the decision gate: 第58条 forbids a decision whose review did not pass, so
    "resolved" means the reviewer is asked for a new, passing opinion on the agreed draft.
    """
    case = get_case_for(actor, case_id, write=True)
    require_role(actor, Role.HEAD)
    if home_agency(actor).pk != case.agency_id:
        raise DomainError("forbidden", "只有本机关负责人可以主持集体讨论。")
    file = CaseReview.objects.filter(case=case).first()
    latest = file.rounds.order_by("-number").first() if file else None
    if file is None or latest is None:
        raise DomainError("conflict", "本案尚未报送法制审核。")
    if outcome not in DiscussionOutcome.values:
        raise ValidationFailed("请选择讨论结论。", field="outcome")
    names = checked_minutes(case, attendees=attendees, held_on=held_on, minutes=minutes)
    discussion = Discussion.objects.create(
        review=file,
        round=latest,
        held_on=held_on,
        attendees=names,
        outcome=outcome,
        minutes=minutes.strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    CaseReview.objects.filter(pk=file.pk).update(disputed=False)
    _log(
        case,
        actor,
        "review.discussion",
        {
            "number": case.number,
            "round": latest.number,
            "held_on": held_on,
            "attendees": names,
            "outcome": outcome,
            "minutes": discussion.minutes,
        },
    )
    return discussion


def catalogue_data_of(version: CatalogueVersion) -> CatalogueData:
    return CatalogueData(**{f.name: getattr(version, f.name) for f in fields(CatalogueData)})
