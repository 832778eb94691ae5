"""Reads of the evidence store, scoped to what the user may see."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.accounts.queries import visible_agency_ids
from sanxiang.cases.queries import is_on_team
from sanxiang.directory.models import Agency
from sanxiang.lib.errors import DomainError

from . import grants
from .models import Access, AccessRequest, AvLevel, AvRequirement, Record


def records_visible_to(user: Any) -> QuerySet[Record]:
    return Record.objects.filter(agency_id__in=visible_agency_ids(user))


def get_record_for(user: Any, pk: int) -> Record:
    record = records_visible_to(user).select_related("case", "uploaded_by").filter(pk=pk).first()
    if record is None:
        raise DomainError("not_found", "未找到该记录，或无权访问。")
    return record


def records_of_case(case: Any) -> QuerySet[Record]:
    return Record.objects.filter(case_id=case.pk).select_related("uploaded_by", "case")


def has_approval(user: Any, record: Record) -> bool:
    return AccessRequest.objects.filter(
        record=record,
        requester_id=user.pk,
        status=AccessRequest.Status.APPROVED,
        valid_until__gt=timezone.now(),
    ).exists()


def by_supervision(user: Any, record: Record) -> bool:
    """Whether ``user`` is a supervisor (司法局) of the agency that holds ``record``.

    Supervision must not depend on the supervised (issue 14 item 2): such a supervisor opens
    any record of the agencies the bureau supervises without the head's approval, but always
    with a stated purpose, logged like every retrieval (``services.log_access``).
    """
    if getattr(user, "role", None) != Role.SUPERVISOR or user.agency_id is None:
        return False
    if record.agency_id == user.agency_id:
        return False  # the bureau's own records follow the ordinary rules
    return record.agency_id in visible_agency_ids(user)


def by_grant(user: Any, record: Record) -> grants.Grant | None:
    """The standing grant (``grants``) by which ``user`` opens ``record`` though outside the case
    team and not its agency's head: e.g. as the 法制审核人员 of an open round. None otherwise."""
    if is_on_team(user, record.case):
        return None
    if user.role == Role.HEAD and record.agency_id in visible_agency_ids(user):
        return None
    return grants.grant_on(user, record.case_id)


def may_retrieve_directly(user: Any, record: Record) -> bool:
    """The case team, the agency's head, its supervisors and holders of a standing grant (the
    assigned 法制审核人员 while the round is open) retrieve directly; others need an approved
    request."""
    if is_on_team(user, record.case):
        return True
    if user.role == Role.HEAD and record.agency_id in visible_agency_ids(user):
        return True
    if by_supervision(user, record):
        return True
    if grants.grant_on(user, record.case_id) is not None:
        return True
    return has_approval(user, record)


def redact_for(user: Any, records: Iterable[Record]) -> list[Record]:
    """Set ``shown_title`` and ``shown_description`` on each record: a 商业秘密/个人隐私
    record's own words are hidden from whoever may not open it (its title alone can say whose
    illness or which trade secret it is). Set-based: one query for the approvals."""
    rows = list(records)
    sensitive = [r for r in rows if r.is_sensitive]
    direct: dict[int, bool] = {}
    # The assigned reviewer opens them too (with a stated reason, logged): shown to them.
    granted = grants.grants_for(user, {r.case_id for r in sensitive})
    for r in sensitive:
        if r.case_id not in direct:
            # A supervisor may open it too, but only with a stated purpose: until then, hidden.
            direct[r.case_id] = (
                is_on_team(user, r.case)
                or (user.role == Role.HEAD and r.agency_id in visible_agency_ids(user))
                or r.case_id in granted
            )
    approved = set(
        AccessRequest.objects.filter(
            record_id__in=[r.pk for r in sensitive if not direct[r.case_id]],
            requester_id=user.pk,
            status=AccessRequest.Status.APPROVED,
            valid_until__gt=timezone.now(),
        ).values_list("record_id", flat=True)
    )
    for r in rows:
        hidden = r.is_sensitive and not direct.get(r.case_id) and r.pk not in approved
        r.shown_title = f"（{r.get_label_display()}记录 #{r.pk}）" if hidden else r.title  # type: ignore[attr-defined]
        r.shown_description = "" if hidden else r.description  # type: ignore[attr-defined]
        r.redacted = hidden  # type: ignore[attr-defined]
    return rows


def accesses_of(record: Record) -> QuerySet[Access]:
    return Access.objects.filter(record=record).select_related("actor").order_by("at", "pk")


def requests_of(record: Record) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(record=record).select_related("requester", "decided_by")


def pending_requests_for(user: Any) -> QuerySet[AccessRequest]:
    """Retrieval requests a head may decide."""
    if user.role != Role.HEAD:
        return AccessRequest.objects.none()
    return (
        AccessRequest.objects.filter(
            status=AccessRequest.Status.PENDING,
            record__agency_id__in=visible_agency_ids(user),
        )
        .exclude(requester_id=user.pk)
        .select_related("record", "requester")
        .order_by("requested_at")
    )


def in_force_on(on: date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))


def av_list(agency: Agency, *, on: date | None = None) -> QuerySet[AvRequirement]:
    """The agency's 音像记录事项清单 in force on a day (for the portal and the edit page)."""
    on = on or timezone.localdate()
    return (
        AvRequirement.objects.filter(in_force_on(on), agency=agency)
        .select_related("matter")
        .order_by("category", "stage", "pk")
    )


def required_av_lines(
    *, agency_id: int, matter_id: int | None, category: str, stage: str, on: date
) -> QuerySet[AvRequirement]:
    """Lines that make audio-video recording 应当 for this stage of this case."""
    return AvRequirement.objects.filter(
        in_force_on(on),
        Q(matter_id=matter_id) | Q(matter__isnull=True, category=category),
        agency_id=agency_id,
        stage=stage,
        level=AvLevel.REQUIRED,
    )


def record_hash(case_id: int, record_id: int) -> str | None:
    """The SHA-256 of a record of the case (a 授权委托书 a 委托代理人 is registered with:
    ``cases.services.parties.register_letter_lookup``), or None if it is not the case's."""
    return (
        Record.objects.filter(pk=record_id, case_id=case_id)
        .values_list("sha256", flat=True)
        .first()
    )


def documentary_records(case_id: int) -> list[tuple[int, str]]:
    """The 书证 of a case (an uploaded 授权委托书 is one), for the agent form to pick from."""
    rows = Record.objects.filter(case_id=case_id, evidence_type="documentary").order_by("pk")
    return [(pk, title) for pk, title in rows.values_list("pk", "title")]
