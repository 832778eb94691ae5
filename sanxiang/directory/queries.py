"""Reads of 主体库 and 人员库."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet

from .models import Agency, CertificateStatus, Officer

# 行政处罚法 第58条 and the seed plan: reviewers at least 5% of enforcement officers.
REVIEWER_RATIO_MINIMUM = Decimal("0.05")


def areas_of(officer: Officer) -> set[str]:
    return {a.strip() for a in officer.area.replace("，", "、").replace(",", "、").split("、") if a}


def may_act(officer: Officer, *, category: str, area: str, on: date) -> bool:
    """Whether ``officer`` may enforce a matter of ``category`` in ``area`` on ``on``."""
    return (
        officer.is_certified_on(on) and category in officer.categories and area in areas_of(officer)
    )


def certified_on(on: date) -> Q:
    """A filter for officers whose certificate is valid on ``on``."""
    return Q(
        certificate_status=CertificateStatus.VALID,
        certificate_issued__lte=on,
        certificate_expires__gte=on,
    )


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
