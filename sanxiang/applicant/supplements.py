"""补正 online (issue 16, item 3): staff tell every missing item at once, the applicant supplies
them through their link, and 受理 is counted from the day the complete materials arrived.

行政许可法 第32条第一款第（四）项: within 5 working days of receipt the agency tells the applicant,
at once (一次告知), everything to be supplemented; told later, the application counts as accepted
from the day of receipt. So:

1. ``prepare_supplement`` (staff): the items and what is wrong with each, before the 5 working
   days of the ``supplement`` clock have run (after them nothing may be asked: deemed accepted).
2. The 补正告知书 is issued by the documents app, its text supplied by ``notice_text``.
3. The step 一次告知补正 (application → 补正) is guarded by ``guard``: an online application
   cannot enter 补正 without a prepared list and its 补正告知书; ``after_transition`` then marks
   the list issued — only now does the applicant see it.
4. ``upload_supplement`` / ``finish_supplement`` (applicant, through the link): one file per
   item told, then the whole set; answered, with the materials' hashes in the ledger.
5. ``accepted_on``: the 受理 date the step 受理 is dated with — the day of receipt (or, after a
   补正, of the complete 补正) — so the 20 working days of 第42条 run from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.cases import queries as case_queries
from sanxiang.cases.models import Case
from sanxiang.cases.services import may_take
from sanxiang.documents.models import IssuedDocument
from sanxiang.ledger import services as ledger
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import STAFF, StageRole
from sanxiang.procedures.engine import GuardContext
from sanxiang.records import blobs

from . import intake, services
from .models import Material, OnlineApplication, SupplementRequest, SupplementStatus

OTHER = "其他"
MAX_REASON = 300


@dataclass(frozen=True)
class Item:
    item: str
    reason: str


def _application(case: Case) -> OnlineApplication:
    application = intake.application_of(case)
    if application is None:
        raise DomainError("not_found", "本案不是网上申请的案件。")
    return application


@transaction.atomic(durable=True)
def prepare_supplement(*, actor: User, case_id: int, items: list[Item]) -> SupplementRequest:
    """The list of everything to supplement (replacing a list prepared earlier, not issued)."""
    case = case_queries.get_case_for(actor, case_id, write=True)
    if not may_take(actor, case, STAFF, head_approval=False):
        raise DomainError("forbidden", "只有本案办案人员或负责人可以告知补正。")
    application = _application(case)
    if not case.definition.has_role(case.stage, StageRole.APPLICATION):
        raise DomainError("conflict", f"案件处于“{case.stage_label}”，不能再告知补正。")
    due = intake.supplement_due(case)
    if due is not None and timezone.localdate() > due:
        raise DomainError(
            "deadline_passed",
            f"告知补正的期限已于{due:%Y年%m月%d日}届满：依{intake.ARTICLE_32}"
            "本申请已视为自收到申请材料之日起受理，不能再要求补正。",
        )
    listed = set(intake.material_items(application.guide)) | {OTHER}
    cleaned: list[dict[str, str]] = []
    for entry in items:
        reason = entry.reason.strip()
        if entry.item not in listed:
            raise ValidationFailed(f"“{entry.item}”不在申请材料目录中。", field="items")
        if not reason:
            raise ValidationFailed(f"请写明“{entry.item}”需要补正的具体内容。", field="items")
        if len(reason) > MAX_REASON:
            raise ValidationFailed(f"每项说明不超过 {MAX_REASON} 字。", field="items")
        if any(c["item"] == entry.item for c in cleaned) and entry.item != OTHER:
            raise ValidationFailed(f"“{entry.item}”重复列出。", field="items")
        cleaned.append({"item": entry.item, "reason": reason})
    if not cleaned:
        raise ValidationFailed(
            "请至少列出一项需要补正的内容（须一次告知全部内容）。", field="items"
        )
    open_one = SupplementRequest.objects.filter(
        application=application, status__in=[SupplementStatus.PREPARED, SupplementStatus.ISSUED]
    ).first()
    if open_one is not None and open_one.status == SupplementStatus.ISSUED:
        raise DomainError("conflict", "补正告知已发出，不能修改（一次告知）。")
    if open_one is None:
        request = SupplementRequest.objects.create(
            application=application, items=cleaned, prepared_by=actor
        )
    else:
        request = open_one
        SupplementRequest.objects.filter(pk=request.pk).update(
            items=cleaned, prepared_by=actor, prepared_at=timezone.now()
        )
        request.refresh_from_db()
    ledger.append(
        event_type="applicant.supplement_prepared",
        payload={"supplement": request.pk, "items": cleaned},
        actor=actor,
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    return request


def notice_text(case: Case) -> str:
    """The 补正告知书's list (documents ``register_sheet_text``): the prepared or issued items."""
    request = (
        SupplementRequest.objects.filter(application__case=case)
        .exclude(status=SupplementStatus.ANSWERED)
        .order_by("-pk")
        .first()
    )
    if request is None:
        return ""
    return (
        "；".join(
            f"（{n}）{i['item']}：{i['reason']}" for n, i in enumerate(request.items, start=1)
        )
        + "。"
    )


def guard(context: GuardContext) -> None:
    """An online application enters 补正 only with its list and its 补正告知书 (一次告知), and
    leaves it for 受理 only once the applicant has supplied every item told."""
    if context.leaves(StageRole.SUPPLEMENT) and context.enters(StageRole.ACCEPTANCE):
        if open_request(context.case) is not None:
            raise DomainError(
                "conflict",
                "申请人尚未在线提交全部补正材料，不能受理（行政许可法 第三十二条：自收到全部"
                "补正材料之日起受理）。",
            )
        return
    if not context.enters(StageRole.SUPPLEMENT):
        return
    application = intake.application_of(context.case)
    if application is None:
        return
    prepared = SupplementRequest.objects.filter(
        application=application, status=SupplementStatus.PREPARED
    ).exists()
    if not prepared:
        raise DomainError(
            "document_required",
            "网上申请须先在“网上申请”栏列明需要补正的全部内容，再告知补正"
            "（行政许可法 第三十二条第一款第（四）项：一次告知）。",
        )
    if not IssuedDocument.objects.filter(case=context.case, kind="supplement_notice").exists():
        raise DomainError(
            "document_required", "请先制发《补正告知书》，再告知补正（行政许可法 第三十二条）。"
        )


def after_transition(context: GuardContext) -> None:
    """Entering 补正: the prepared list is issued (the applicant sees it from now on)."""
    if not context.enters(StageRole.SUPPLEMENT):
        return
    application = intake.application_of(context.case)
    if application is None:
        return
    request = SupplementRequest.objects.select_for_update().get(
        application=application, status=SupplementStatus.PREPARED
    )
    day = context.on or timezone.localdate()
    SupplementRequest.objects.filter(pk=request.pk).update(
        status=SupplementStatus.ISSUED, issued_on=day
    )
    ledger.append(
        event_type="applicant.supplement_issued",
        payload={"supplement": request.pk, "items": request.items, "on": day},
        actor=context.actor,
        agency_id=context.case.agency_id,
        case_id=context.case.pk,
    )


# ------------------------------------------------------------------------- the applicant


def open_request(case: Case) -> SupplementRequest | None:
    """The 补正 the applicant is asked for now (issued, not yet answered)."""
    return SupplementRequest.objects.filter(
        application__case=case, status=SupplementStatus.ISSUED
    ).first()


def _live_request(link_case: Case) -> SupplementRequest:
    request = open_request(link_case)
    if request is None or not link_case.definition.has_role(link_case.stage, StageRole.SUPPLEMENT):
        raise DomainError("conflict", "本案目前没有需要您补正的材料。")
    return request


def upload_supplement(
    *,
    token: str,
    address: str,
    browser: str,
    item: str,
    received: blobs.Received,
    original_name: str,
) -> Material:
    """One file for one item told in the 补正告知 (the same item again replaces it)."""
    try:
        link = services.use_link(
            token=token, address=address, browser=browser, what="supplement_upload"
        )
        request = _live_request(link.case)
        if item not in {i["item"] for i in request.items}:
            raise ValidationFailed("该项不在补正告知书列明的内容中。", field="item")
    except BaseException:
        received.path.unlink(missing_ok=True)
        raise
    content_type = intake.check_upload(received)
    name = blobs.store(received)
    return _save(
        request_id=request.pk,
        item=item,
        received=received,
        content_type=content_type,
        storage_name=name,
        original_name=original_name,
    )


@transaction.atomic(durable=True)
def _save(
    *,
    request_id: int,
    item: str,
    received: blobs.Received,
    content_type: str,
    storage_name: str,
    original_name: str,
) -> Material:
    request = SupplementRequest.objects.select_for_update().get(pk=request_id)
    if request.status != SupplementStatus.ISSUED:
        raise DomainError("conflict", "补正材料已提交，不能再修改。")
    material, _ = Material.objects.update_or_create(
        application_id=request.application_id,
        supplement=request,
        item=item,
        defaults=intake.material_file(received, content_type, storage_name, original_name),
    )
    return material


def finish_supplement(*, token: str, address: str, browser: str) -> SupplementRequest:
    link = services.use_link(
        token=token, address=address, browser=browser, what="supplement_submit"
    )
    return _finish(case_id=link.case_id)


@transaction.atomic(durable=True)
def _finish(*, case_id: int) -> SupplementRequest:
    case = Case.objects.select_for_update().get(pk=case_id)
    request = _live_request(case)
    uploaded = {m.item: m for m in request.materials.all()}
    missing = [i["item"] for i in request.items if i["item"] not in uploaded]
    if missing:
        raise ValidationFailed(
            f"以下补正内容尚未上传：{'、'.join(missing)}。须一并补正后提交。", field="file"
        )
    now = timezone.now()
    SupplementRequest.objects.filter(pk=request.pk).update(
        status=SupplementStatus.ANSWERED, answered_at=now
    )
    ledger.append(
        event_type="applicant.supplement_answered",
        payload={
            "supplement": request.pk,
            "on": timezone.localdate(now),
            "materials": [[m.item, m.sha256, m.size, m.content_type] for m in uploaded.values()],
        },
        agency_id=case.agency_id,
        case_id=case.pk,
    )
    request.refresh_from_db()
    return request


def accepted_on(case: Case) -> date | None:
    """The 受理 date of an online application (行政许可法 第32条): the day of receipt, or after a
    补正 the day the complete 补正 arrived; None while a 补正 is awaited."""
    application = intake.application_of(case)
    if application is None or application.submitted_at is None:
        return None
    if open_request(case) is not None:
        return None
    answered = (
        SupplementRequest.objects.filter(application=application, status=SupplementStatus.ANSWERED)
        .order_by("-answered_at")
        .first()
    )
    if answered is not None and answered.answered_at is not None:
        return timezone.localdate(answered.answered_at)
    return timezone.localdate(application.submitted_at)
