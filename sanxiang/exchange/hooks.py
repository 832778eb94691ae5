"""Where exchange hangs on the rest: the engine's after-transition hook (a decision made),
disclosure's listeners (published, withdrawn, 年报) and inspections' (a 抽查结果 published). Each
runs in the event's transaction and only writes outbox rows; cases, disclosure and inspections
import nothing of exchange."""

from __future__ import annotations

from sanxiang.disclosure.models import AnnualReport, Publication
from sanxiang.inspections.models import Assignment
from sanxiang.procedures.definitions import StageRole
from sanxiang.procedures.engine import GuardContext

from . import outbox, payloads
from .models import EventType


def decision_made(context: GuardContext) -> None:
    if not context.enters(StageRole.DECISION):
        return
    # disclosure's hook ran first (INSTALLED_APPS order) and queued the publication.
    item = (
        Publication.objects.select_related("agency")
        .filter(case_id=context.case.pk)
        .order_by("-pk")
        .first()
    )
    if item is None:
        return
    outbox.record(
        event_type=EventType.DECISION_MADE,
        agency_id=item.agency_id,
        data=payloads.decision_data(item),
    )


def decision_published(item: Publication) -> None:
    outbox.record(
        event_type=EventType.DECISION_PUBLISHED,
        agency_id=item.agency_id,
        data=payloads.published_data(item),
    )


def decision_withdrawn(item: Publication) -> None:
    outbox.record(
        event_type=EventType.DECISION_WITHDRAWN,
        agency_id=item.agency_id,
        data=payloads.withdrawn_data(item),
    )


def report_published(report: AnnualReport) -> None:
    outbox.record(
        event_type=EventType.REPORT_PUBLISHED,
        agency_id=report.agency_id,
        data=payloads.report_data(report),
    )


def inspection_result_published(assignment: Assignment) -> None:
    # The agency whose library holds the target executes and publishes the result: in a
    # 联合抽查 that may be a participating agency, not the plan's lead.
    outbox.record(
        event_type=EventType.INSPECTION_RESULT_PUBLISHED,
        agency_id=assignment.target.agency_id,
        data=payloads.inspection_data(assignment),
    )
