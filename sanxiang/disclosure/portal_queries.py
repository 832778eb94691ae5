"""Reads for the public portal's 事前 and 事中 pages (no login: only public data leaves here).

Lists owned by other apps (法制审核目录清单, 音像记录事项清单, 执法流程图) are read through their
published query functions when the app is installed, so this branch works alone.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.http import Http404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sanxiang.catalog.models import MatterVersion
from sanxiang.catalog.queries import in_force_on
from sanxiang.directory.models import Agency, AgencyLevel, Officer, OfficerVersion
from sanxiang.directory.queries import areas_of, entries_on, officer_on

# Procedure definitions the portal draws as 执法流程图, by the matter categories that use them.
PROCEDURES_BY_CATEGORY = {
    "penalty": ("penalty_ordinary", "penalty_summary"),
    "licence": ("licence",),
    "coercion": ("coercion",),
    "inspection": ("inspection",),
}


def public_bodies() -> QuerySet[Agency]:
    """The 执法主体 shown on the portal (departments), with their parent for the listing."""
    return Agency.objects.filter(level=AgencyLevel.DEPARTMENT).select_related("parent")


def public_agency(pk: int) -> Agency:
    agency = Agency.objects.filter(pk=pk, level=AgencyLevel.DEPARTMENT).first()
    if agency is None:
        raise Http404("未找到该执法主体")
    return agency


def scope_of(agency: Agency | None) -> set[int]:
    """An agency and its units, or every public body of the district when ``agency`` is None."""
    if agency is None:
        return Agency.subtree_ids(public_bodies().values_list("pk", flat=True))
    return Agency.subtree_ids({agency.pk})


def officers_with_state(scope: set[int], today: date) -> list[tuple[Officer | OfficerVersion, str]]:
    """The 人员 list as in force ``today``: a change the 执法人员 sheet dated later is not yet
    shown, and an officer whose entry starts later is not yet listed."""
    rows = Officer.objects.filter(agency_id__in=scope).select_related("agency")
    entries = entries_on(rows.order_by("agency_id", "pk"), today)
    return [(o, o.certificate_state(today)) for o in entries]


def list_updated(rows: list[tuple[Officer | OfficerVersion, str]]) -> date | None:
    """The date of the officer list's version: its latest change."""
    return max((timezone.localdate(o.updated_at) for o, _ in rows), default=None)


def matter_list(scope: set[int], on: date, *, random_only: bool = False) -> list[MatterVersion]:
    rows = MatterVersion.objects.filter(in_force_on(on), matter__agency_id__in=scope)
    if random_only:
        rows = rows.filter(random_inspection=True)
    rows = rows.select_related("matter", "matter__agency").order_by(
        "matter__agency_id", "category", "matter__code"
    )
    return list(rows)


def list_version_date(rows: list[MatterVersion]) -> date | None:
    """The date of a list's version: the latest change among the versions it shows."""
    return max((v.valid_from for v in rows), default=None)


def guide(matter_id: int, on: date) -> MatterVersion:
    """The 服务指南 of one public matter as of ``on``."""
    version = (
        MatterVersion.objects.filter(in_force_on(on), matter_id=matter_id)
        .select_related("matter", "matter__agency")
        .first()
    )
    if version is None or version.matter.agency.level not in {
        AgencyLevel.DEPARTMENT,
        AgencyLevel.UNIT,
    }:
        raise Http404("该日期没有有效的事项版本")
    return version


@dataclass(frozen=True)
class CertificateCheck:
    """What the public learns from a certificate number (DOMAIN.md, 事中: 亮证执法)."""

    officer: Officer
    state: str
    may_enforce: bool
    categories: list[str]
    areas: list[str]


def check_certificate(number: str, today: date) -> CertificateCheck | None:
    officer = Officer.objects.filter(certificate_no=number.strip()).select_related("agency").first()
    if officer is None:
        return None
    entry = officer_on(officer, today)
    state = entry.certificate_state(today) if entry is not None else "未生效"
    return CertificateCheck(
        officer=officer,
        state=state,
        may_enforce=state == "有效",
        categories=(entry or officer).category_labels(),
        areas=sorted(areas_of(entry or officer)),
    )


@dataclass(frozen=True)
class Flowchart:
    code: str
    label: str
    url: str


def flowcharts(scope: set[int], on: date) -> list[Flowchart]:
    """The procedure flowcharts of the categories the agency's matters use (drawn by the engine's
    definitions, so the published chart is the procedure that runs)."""
    try:
        definitions: Any = importlib.import_module("sanxiang.procedures.definitions")
    except ImportError:
        return []
    categories = set(
        MatterVersion.objects.filter(in_force_on(on), matter__agency_id__in=scope).values_list(
            "category", flat=True
        )
    )
    charts = []
    for category, codes in PROCEDURES_BY_CATEGORY.items():
        if category not in categories:
            continue
        for code in codes:
            definition = definitions.DEFINITIONS.get(code)
            if definition is None:
                continue
            try:
                url = reverse("procedures:flowchart", args=[code])
            except NoReverseMatch:
                continue
            charts.append(Flowchart(code=code, label=definition.label, url=url))
    return charts


def review_flowchart(agency: Agency | None = None) -> tuple[Any, dict[str, tuple[int, str]]] | None:
    """The 法制审核流程图's definition (review app) and, for one agency, its own review period
    from the 目录清单 in force; ``None`` when the review app is not installed."""
    if not apps.is_installed("sanxiang.review"):
        return None
    procedure: Any = importlib.import_module("sanxiang.review.procedure")
    figures: dict[str, tuple[int, str]] = {}
    if agency is not None:
        effective = _optional("sanxiang.review", "sanxiang.review.queries", "effective_catalogue")
        if effective is not None:
            catalogue = effective(agency, timezone.localdate())
            figures["review"] = (int(catalogue.review_days), "working")
    return procedure.LEGAL_REVIEW, figures


def flowcharts_for(category: str) -> list[Flowchart]:
    """The flowcharts of the procedures a matter of ``category`` runs (its 服务指南's 办理流程)."""
    try:
        definitions: Any = importlib.import_module("sanxiang.procedures.definitions")
    except ImportError:
        return []
    charts = []
    for code in PROCEDURES_BY_CATEGORY.get(category, ()):
        definition = definitions.DEFINITIONS.get(code)
        if definition is None:
            continue
        try:
            url = reverse("procedures:flowchart", args=[code])
        except NoReverseMatch:
            continue
        charts.append(Flowchart(code=code, label=definition.label, url=url))
    return charts


def _optional(app: str, module: str, name: str) -> Callable[..., Any] | None:
    if not apps.is_installed(app):
        return None
    try:
        found = importlib.import_module(module)
    except ImportError:
        return None
    fn = getattr(found, name, None)
    return fn if callable(fn) else None


def template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def review_catalogue(agency: Agency, on: date) -> tuple[bool, Any]:
    """(available, version): the agency's 法制审核目录清单 in force on ``on`` (review app, whose
    public partial ``review/_catalogue_public.html`` shows it, or says none is published)."""
    fn = _optional("sanxiang.review", "sanxiang.review.queries", "catalogue_as_of")
    if fn is None or not template_exists("review/_catalogue_public.html"):
        return False, None
    return True, fn(agency, on)


@dataclass(frozen=True)
class AvLine:
    category: str
    matter: str
    stage: str
    level: str
    scene: str
    valid_from: date


def _stage_labels() -> dict[str, str]:
    definitions: Any = importlib.import_module("sanxiang.procedures.definitions")
    labels: dict[str, str] = {}
    for definition in definitions.DEFINITIONS.values():
        for stage in definition.stages:
            labels.setdefault(stage.code, stage.label)
    return labels


def av_list(agency: Agency, on: date) -> list[AvLine] | None:
    """The agency's 音像记录事项清单 in force on ``on`` (records app), or None without it."""
    fn = _optional("sanxiang.records", "sanxiang.records.queries", "av_list")
    if fn is None:
        return None
    labels = _stage_labels()
    return [
        AvLine(
            category=str(line.get_category_display()),
            matter=str(line.matter) if line.matter_id else "该类别全部事项",
            stage=labels.get(line.stage, line.stage),
            level=str(line.get_level_display()),
            scene=line.scene,
            valid_from=line.valid_from,
        )
        for line in fn(agency, on=on)
    ]


def step_documents(agency: Agency, on: date) -> list[Any] | None:
    """Per procedure, each step's required 文书 on ``on``: the law's (with its article) and
    those the agency added (documents app), or None without it."""
    fn = _optional("sanxiang.documents", "sanxiang.documents.queries", "step_requirement_list")
    if fn is None:
        return None
    result: list[Any] = fn(agency, on=on, only_required=True)
    return result
