"""Reads of 主体库 and 人员库."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from django.db.models import Exists, OuterRef, Q, QuerySet

from . import versioning
from .models import (
    OFFICER_KIND,
    REGISTER_FIELDS,
    Agency,
    CertificateStatus,
    Officer,
    OfficerVersion,
)

# 行政处罚法 第58条 and the seed plan: reviewers at least 5% of enforcement officers.
REVIEWER_RATIO_MINIMUM = Decimal("0.05")


def areas_of(officer: Officer | OfficerVersion) -> set[str]:
    return {a.strip() for a in officer.area.replace("，", "、").replace(",", "、").split("、") if a}


def officer_on(officer: Officer, on: date) -> Officer | OfficerVersion | None:
    """The register entry in force on ``on``: the officer's row from its ``valid_from`` on,
    before that the version then in force (None: not yet on the register). A version whose
    content no longer hashes to what was recorded is refused (``version_tampered``)."""
    if officer.holds_on(on):
        return officer
    version = OfficerVersion.objects.filter(versioning.in_force(on), officer=officer).first()
    if version is None:
        return None
    label = f"{officer.name}的执法人员登记"
    return cast(
        OfficerVersion, versioning.check_hash(OFFICER_KIND, version, REGISTER_FIELDS, label)
    )


def may_act(officer: Officer, *, category: str, area: str, on: date) -> bool:
    """Whether ``officer`` may enforce a matter of ``category`` in ``area`` on ``on``, by the
    register entry in force that day."""
    entry = officer_on(officer, on)
    return (
        entry is not None
        and entry.is_certified_on(on)
        and category in entry.categories
        and area in areas_of(entry)
    )


def _valid(on: date) -> Q:
    return Q(
        certificate_status=CertificateStatus.VALID,
        certificate_issued__lte=on,
        certificate_expires__gte=on,
    )


def certified_on(on: date) -> Q:
    """A filter for officers whose certificate is valid on ``on`` by the register entry in
    force that day (the row itself, or for a day before its ``valid_from`` the version then)."""
    held = Q(valid_from__isnull=True) | Q(valid_from__lte=on)
    earlier = OfficerVersion.objects.filter(
        versioning.in_force(on), _valid(on), officer=OuterRef("pk")
    )
    return (held & _valid(on)) | (Q(valid_from__gt=on) & Q(Exists(earlier)))


def entries_on(officers: Iterable[Officer], on: date) -> list[Officer | OfficerVersion]:
    """For a list of officers, the entries in force on ``on`` (one query for those whose row
    holds only from later; an officer not yet on the register that day is left out)."""
    rows = list(officers)
    later = [o.pk for o in rows if not o.holds_on(on)]
    earlier: dict[int, OfficerVersion] = {}
    if later:
        found = OfficerVersion.objects.filter(versioning.in_force(on), officer_id__in=later)
        for v in found.select_related("agency"):
            label = f"{v.name}的执法人员登记"
            earlier[v.officer_id] = versioning.check_hash(OFFICER_KIND, v, REGISTER_FIELDS, label)
    result: list[Officer | OfficerVersion] = []
    for o in rows:
        entry = o if o.holds_on(on) else earlier.get(o.pk)
        if entry is not None:
            result.append(entry)
    return result


def officers_in(agency_ids: set[int]) -> QuerySet[Officer]:
    return Officer.objects.filter(agency_id__in=agency_ids).select_related("agency")


@dataclass(frozen=True)
class ReviewerRatio:
    officers: int
    reviewers: int

    @property
    def ratio(self) -> Decimal:
        if self.officers == 0:
            return Decimal(0)
        return (Decimal(self.reviewers) / Decimal(self.officers)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )

    @property
    def percent(self) -> str:
        return f"{self.ratio * 100:.1f}%"

    @property
    def meets_rule(self) -> bool:
        return self.officers > 0 and self.ratio >= REVIEWER_RATIO_MINIMUM


def reviewer_ratio(agency: Agency, *, on: date) -> ReviewerRatio:
    """Reviewers ÷ enforcement officers of an agency and its units, counting valid certificates."""
    scope = officers_in(Agency.subtree_ids({agency.pk})).filter(certified_on(on))
    return ReviewerRatio(
        officers=scope.filter(is_reviewer=False).count(),
        reviewers=scope.filter(is_reviewer=True).count(),
    )


def enforcement_bodies(agency_ids: set[int]) -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=agency_ids, level="department").order_by("pk")
