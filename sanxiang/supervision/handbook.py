"""执法工作手册 (seed plan §五(二)2): compiled from the agency's current data.

Sections: 事项清单 with 服务指南, 执法流程图, 裁量基准, 法制审核目录清单, 音像记录事项清单,
随机抽查事项清单, 公示规则; a table of contents with page numbers (WeasyPrint's
``target-counter``); versioned; filed (报备) with the 司法局 as a ledger entry the supervisor
sees; the same contents as DOCX (handbook_docx.py). Both are rendered before the short
transaction that numbers the version (a version taken meanwhile means a new render)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from sanxiang.accounts.models import Role, User
from sanxiang.accounts.queries import home_agency
from sanxiang.cases.models import DiscretionBenchmark
from sanxiang.catalog.queries import current_versions
from sanxiang.directory.models import Agency
from sanxiang.disclosure.models import PublicationRule
from sanxiang.documents.content import chinese_date
from sanxiang.ledger import services as ledger
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import DEFINITIONS
from sanxiang.procedures.flowchart import render_svg
from sanxiang.records.queries import av_list
from sanxiang.review.models import CatalogueVersion

from .handbook_docx import render_docx
from .models import Handbook
from .notices import Stored, store

SECTIONS = (
    ("matters", "一、行政执法事项清单及服务指南"),
    ("flowcharts", "二、执法流程图"),
    ("benchmarks", "三、行政处罚裁量基准"),
    ("review", "四、重大执法决定法制审核目录清单"),
    ("av", "五、音像记录事项清单"),
    ("inspections", "六、随机抽查事项清单"),
    ("publication", "七、行政执法公示规则"),
)


def _context(agency: Agency, version: int) -> dict[str, Any]:
    today = timezone.localdate()
    matters = list(current_versions({agency.pk}))
    used = sorted({m.category for m in matters})
    definitions = [d for d in DEFINITIONS.values() if d.category in used]
    charts = [
        (d.label, mark_safe(render_svg(d)))  # noqa: S308 - our own SVG, no user text in it
        for d in definitions
    ]
    return {
        "agency": agency,
        "version": version,
        "date": chinese_date(today),
        "sections": SECTIONS,
        "matters": matters,
        "charts": charts,
        "definitions": definitions,
        "benchmarks": DiscretionBenchmark.objects.filter(matter__agency=agency)
        .select_related("matter")
        .order_by("matter__code", "fine_min"),
        "catalogue": CatalogueVersion.objects.filter(agency=agency, valid_to__isnull=True).first(),
        "av_lines": av_list(agency, on=today),
        "inspections": [m for m in matters if m.random_inspection],
        "rules": PublicationRule.objects.filter(agency=agency).order_by("category"),
    }


def _check(actor: User) -> Agency:
    if not (actor.is_superuser or actor.role in (Role.HEAD, Role.ADMIN)):
        raise DomainError("forbidden", "执法工作手册由本机关负责人或管理员编制和报备。")
    return home_agency(actor)


def render(agency: Agency, version: int) -> tuple[bytes, bytes]:
    """The PDF and the DOCX of one version, from one reading of the data."""
    from weasyprint import HTML

    context = _context(agency, version)
    html = render_to_string("supervision/handbook.html", context)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf, render_docx(context)


def compile_handbook(*, actor: User) -> Handbook:
    """Compile the next version of the actor's agency's 手册 from its current data."""
    agency = _check(actor)
    for _ in range(3):
        version = (Handbook.objects.filter(agency=agency).aggregate(m=Max("version"))["m"] or 0) + 1
        pdf_bytes, docx_bytes = render(agency, version)
        pdf, docx = store(pdf_bytes, "pdf"), store(docx_bytes, "docx")
        made = _commit(actor=actor, agency=agency, version=version, pdf=pdf, docx=docx)
        if made is not None:
            return made
    raise DomainError("conflict", "手册版本号被占用，请稍后重试。")


@transaction.atomic(durable=True)
def _commit(
    *, actor: User, agency: Agency, version: int, pdf: Stored, docx: Stored
) -> Handbook | None:
    Agency.objects.select_for_update().filter(pk=agency.pk).first()  # one compile at a time
    if Handbook.objects.filter(agency=agency, version=version).exists():
        return None
    handbook = Handbook.objects.create(
        agency=agency,
        version=version,
        contents=[label for _, label in SECTIONS],
        pdf_name=pdf.name,
        pdf_sha256=pdf.sha256,
        docx_name=docx.name,
        docx_sha256=docx.sha256,
        created_at=timezone.now(),
        created_by=actor,
    )
    ledger.append(
        event_type="supervision.handbook_compiled",
        payload={
            "handbook": handbook.pk,
            "version": version,
            "pdf_sha256": pdf.sha256,
            "docx_sha256": docx.sha256,
        },
        actor=actor,
        agency_id=agency.pk,
    )
    return handbook


@transaction.atomic(durable=True)
def file_handbook(*, actor: User, handbook_id: int) -> Handbook:
    """报备: the version goes to the supervising 司法局 (a ledger entry it sees)."""
    agency = _check(actor)
    handbook = Handbook.objects.filter(pk=handbook_id, agency=agency).first()
    if handbook is None:
        raise DomainError("not_found", "未找到该手册。")
    if agency.supervised_by_id is None:
        raise DomainError("conflict", "本机关未登记执法监督机关，无法报备。")
    if (
        Handbook.objects.filter(pk=handbook.pk, filed_at__isnull=True).update(
            filed_at=timezone.now()
        )
        != 1
    ):
        raise DomainError("conflict", "该版本已经报备。")
    ledger.append(
        event_type="supervision.handbook_filed",
        payload={
            "handbook": handbook.pk,
            "version": handbook.version,
            "pdf_sha256": handbook.pdf_sha256,
            "docx_sha256": handbook.docx_sha256,
            "filed_with": agency.supervised_by_id,
        },
        actor=actor,
        agency_id=agency.pk,
    )
    handbook.refresh_from_db()
    return handbook


def handbooks_for(user: Any) -> Any:
    """A head's own versions; a supervisor's: those filed by the agencies it supervises."""
    from .queries import cockpit_bodies

    ids = [b.pk for b in cockpit_bodies(user)]
    rows = Handbook.objects.filter(agency_id__in=ids).select_related("agency", "created_by")
    if getattr(user, "role", None) == Role.SUPERVISOR:
        rows = rows.filter(filed_at__isnull=False)
    return rows
