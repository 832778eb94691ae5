"""落实台账 and 自查 (seed plan §七(三), §五(一)3, §五(四)): the rollout ledger of the three
systems per agency — which lists, guides, flowcharts and rules exist and since when — computed
from the data, the 音像记录设备 register, the training records, the 自查 statistics and a
drafted 总结报告."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import home_agency
from sanxiang.cases.models import Case, DiscretionBenchmark
from sanxiang.catalog.models import MatterVersion
from sanxiang.directory.models import Agency, Officer
from sanxiang.directory.queries import certified_on
from sanxiang.disclosure.models import Publication, PublicationRule, PublicationStatus
from sanxiang.ledger import services as ledger
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.procedures.definitions import DEFINITIONS
from sanxiang.records.models import AvRequirement
from sanxiang.review.models import CatalogueVersion

from .models import AvDevice, DeviceKind, DeviceStatus, Handbook, Training


@dataclass(frozen=True)
class LedgerLine:
    """One line of the 落实台账: what exists, how many, since when."""

    item: str
    count: int
    since: date | None
    note: str = ""

    @property
    def done(self) -> bool:
        return self.count > 0


def rollout_ledger(agency: Agency) -> list[LedgerLine]:
    current = MatterVersion.objects.filter(matter__agency=agency, valid_to__isnull=True)
    matters = current.aggregate(n=Count("pk"), since=Min("valid_from"))
    guides = current.exclude(process="").aggregate(n=Count("pk"), since=Min("valid_from"))
    used = set(current.values_list("category", flat=True))
    flowcharts = [d.label for d in DEFINITIONS.values() if d.category in used]
    catalogue = CatalogueVersion.objects.filter(agency=agency, valid_to__isnull=True).first()
    av = AvRequirement.objects.filter(agency=agency, valid_to__isnull=True).aggregate(
        n=Count("pk"), since=Min("valid_from")
    )
    inspections = current.filter(random_inspection=True).aggregate(
        n=Count("pk"), since=Min("valid_from")
    )
    handbook = Handbook.objects.filter(agency=agency).order_by("-version").first()
    trainings = Training.objects.filter(agency=agency).aggregate(
        n=Count("pk"), since=Min("held_on")
    )
    return [
        LedgerLine("行政执法事项清单", matters["n"], matters["since"]),
        LedgerLine("服务指南", guides["n"], guides["since"]),
        LedgerLine("执法流程图", len(flowcharts), None, "、".join(flowcharts)),
        LedgerLine(
            "行政处罚裁量基准",
            DiscretionBenchmark.objects.filter(matter__agency=agency).count(),
            None,
        ),
        LedgerLine(
            "重大执法决定法制审核目录清单",
            1 if catalogue else 0,
            catalogue.valid_from if catalogue else None,
            f"第{catalogue.number}版" if catalogue else "未制定（按平台默认标准）",
        ),
        LedgerLine("音像记录事项清单", av["n"], av["since"]),
        LedgerLine("随机抽查事项清单", inspections["n"], inspections["since"]),
        LedgerLine("行政执法公示规则", PublicationRule.objects.filter(agency=agency).count(), None),
        LedgerLine(
            "执法工作手册",
            handbook.version if handbook else 0,
            timezone.localdate(handbook.created_at) if handbook else None,
            ("已报备" if handbook.filed_at else "未报备") if handbook else "未编制",
        ),
        LedgerLine("执法培训记录", trainings["n"], trainings["since"]),
    ]


def self_check(agency: Agency, *, today: date) -> dict[str, Any]:
    """The 自查 figures of §五(一)3, computed from the data (a handful of grouped queries)."""
    ids = Agency.subtree_ids({agency.pk})
    officers = Officer.objects.filter(agency_id__in=ids)
    valid = certified_on(today)
    people = officers.aggregate(
        total=Count("pk"),
        certified=Count("pk", filter=valid),
        reviewers=Count("pk", filter=valid & Q(is_reviewer=True)),
        qualified=Count("pk", filter=valid & Q(is_reviewer=True) & ~Q(legal_qualification_no="")),
    )
    categories = dict(
        MatterVersion.objects.filter(matter__agency=agency, valid_to__isnull=True)
        .values_list("category")
        .annotate(n=Count("pk"))
    )
    devices = dict(
        AvDevice.objects.filter(agency=agency).values_list("status").annotate(n=Count("pk"))
    )
    year = today.year
    publications = Publication.objects.filter(agency=agency, decided_on__year=year).aggregate(
        published=Count("pk", filter=Q(published_at__isnull=False)),
        queued=Count("pk", filter=Q(status=PublicationStatus.QUEUED)),
    )
    cases = Case.objects.filter(agency=agency, opened_on__year=year).aggregate(
        n=Count("pk"), closed=Count("pk", filter=Q(closed_on__isnull=False))
    )
    trained = Training.objects.filter(agency=agency, held_on__year=year)
    training = trained.aggregate(sessions=Count("pk", distinct=True), hours=Sum("hours"))
    training["people"] = (
        Officer.objects.filter(agency_id__in=ids, pk__in=trained.values("attendees"))
        .distinct()
        .count()
    )
    return {
        "year": year,
        "training": training,
        "people": people,
        "categories": categories,
        "devices": devices,
        "publications": publications,
        "cases": cases,
    }


def draft_report(agency: Agency, *, today: date) -> str:
    """A first draft of the 总结报告 (§五(四)) from the 自查 figures; people edit it before
    sending it to the 司法局."""
    figures = self_check(agency, today=today)
    people, devices = figures["people"], figures["devices"]
    missing = [line.item for line in rollout_ledger(agency) if not line.done]
    from sanxiang.directory.models import MatterCategory

    kinds = "、".join(
        f"{MatterCategory(c).label}{n}项" for c, n in sorted(figures["categories"].items())
    )
    in_use = devices.get(DeviceStatus.IN_USE, 0)
    ratio = people["reviewers"] / max(1, people["certified"] - people["reviewers"])
    lines = [
        f"{agency.name}关于{figures['year']}年全面推行行政执法三项制度工作情况的报告（草稿）",
        "",
        f"一、基本情况。本机关现行行政执法事项{sum(figures['categories'].values())}项"
        f"（{kinds or '无'}）；"
        f"在册执法人员{people['total']}人，持有效执法证件{people['certified']}人；"
        f"法制审核人员{people['reviewers']}人（其中具有法律职业资格{people['qualified']}人）"
        "，"
        f"占执法人员的{ratio:.1%}；在用音像记录设备{in_use}台。",
        f"二、执法公示。本年度作出的决定已公示{figures['publications']['published']}件，"
        f"待公示{figures['publications']['queued']}件。",
        f"三、全过程记录。本年度立案{figures['cases']['n']}件，结案{figures['cases']['closed']}件，"
        "执法过程均在平台留痕，调阅记入账本。",
        f"四、培训。本年度组织三项制度培训{figures['training']['sessions']}次、"
        f"{figures['training']['hours'] or 0}学时，参训执法人员{figures['training']['people']}人。",
        "五、存在的问题及下一步措施。"
        + (f"尚未建立：{'、'.join(missing)}。" if missing else "各项制度、清单均已建立。"),
    ]
    return "\n".join(lines)


def _check_admin(actor: User) -> Agency:
    if not (actor.is_superuser or actor.role in (Role.HEAD, Role.ADMIN)):
        raise DomainError("forbidden", "音像记录设备由本机关负责人或管理员登记。")
    return home_agency(actor)


@transaction.atomic(durable=True)
def register_device(
    *, actor: User, kind: str, serial: str, holder_id: int | None = None, is_demo: bool = False
) -> AvDevice:
    agency = _check_admin(actor)
    serial = serial.strip()
    if kind not in DeviceKind.values:
        raise ValidationFailed("设备类型无效。", field="kind")
    if not serial:
        raise ValidationFailed("请填写设备编号。", field="serial")
    if AvDevice.objects.filter(agency=agency, serial=serial).exists():
        raise DomainError("conflict", f"设备编号“{serial}”已登记。")
    if (
        holder_id is not None
        and not Officer.objects.filter(
            pk=holder_id, agency_id__in=Agency.subtree_ids({agency.pk})
        ).exists()
    ):
        raise ValidationFailed("持有人须为本机关执法人员。", field="holder")
    device = AvDevice.objects.create(
        agency=agency,
        kind=kind,
        serial=serial,
        holder_id=holder_id,
        registered_on=timezone.localdate(),
        is_demo=is_demo,
    )
    ledger.append(
        event_type="supervision.device_registered",
        payload={"device": device.pk, "kind": kind, "serial": serial, "holder": holder_id},
        actor=actor,
        agency_id=agency.pk,
    )
    return device


@transaction.atomic(durable=True)
def set_device_status(*, actor: User, device_id: int, status: str) -> AvDevice:
    agency = _check_admin(actor)
    if status not in DeviceStatus.values:
        raise ValidationFailed("设备状态无效。", field="status")
    device = AvDevice.objects.select_for_update().filter(pk=device_id, agency=agency).first()
    if device is None:
        raise DomainError("not_found", "未找到该设备。")
    old = device.status
    device.status = status
    device.save(update_fields=["status"])
    ledger.append(
        event_type="supervision.device_status",
        payload={"device": device.pk, "from": old, "to": status},
        actor=actor,
        agency_id=agency.pk,
    )
    return device


@transaction.atomic(durable=True)
def record_training(
    *,
    actor: User,
    title: str,
    held_on: date,
    hours: str,
    attendee_ids: list[int],
    is_demo: bool = False,
) -> Training:
    """A training of the agency's officers, for the 落实台账 and the 总结报告."""
    if not (actor.is_superuser or actor.role in (Role.HEAD, Role.ADMIN)):
        raise DomainError("forbidden", "培训记录由本机关负责人或管理员登记。")
    agency = home_agency(actor)
    if not title.strip():
        raise ValidationFailed("请填写培训内容。", field="title")
    if held_on > timezone.localdate():
        raise ValidationFailed("培训日期不能晚于今天（登记已举办的培训）。", field="held_on")
    try:
        length = Decimal(hours)
    except InvalidOperation:
        raise ValidationFailed("学时应为数字。", field="hours") from None
    if not (Decimal(0) < length <= 200) or length != length.quantize(Decimal("0.1")):
        raise ValidationFailed("学时应大于0、不超过200，最多一位小数。", field="hours")
    wanted = set(attendee_ids)
    if not wanted:
        raise ValidationFailed("请选择参训人员。", field="attendees")
    own = set(
        Officer.objects.filter(
            pk__in=wanted, agency_id__in=Agency.subtree_ids({agency.pk})
        ).values_list("pk", flat=True)
    )
    if own != wanted:
        raise ValidationFailed("参训人员须为本机关执法人员。", field="attendees")
    training = Training.objects.create(
        agency=agency,
        title=title.strip()[:200],
        held_on=held_on,
        hours=length,
        recorded_by=actor,
        recorded_at=timezone.now(),
        is_demo=is_demo,
    )
    training.attendees.set(sorted(own))
    ledger.append(
        event_type="supervision.training_recorded",
        payload={
            "training": training.pk,
            "title": training.title,
            "held_on": held_on,
            "hours": str(length),
            "attendees": sorted(own),
        },
        actor=actor,
        agency_id=agency.pk,
    )
    return training
