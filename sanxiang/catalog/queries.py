"""Reads of 事项库: the list as of a date, and a matter's history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet

from .models import MatterVersion


def in_force_on(on: date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))


def matters_as_of(agency_ids: Iterable[int], on: date) -> QuerySet[MatterVersion]:
    """Versions of the agency's matters in force on ``on`` (the list "as of" a date)."""
    return (
        MatterVersion.objects.filter(in_force_on(on), matter__agency_id__in=list(agency_ids))
        .select_related("matter", "matter__agency")
        .order_by("category", "matter__code")
    )


def current_versions(agency_ids: Iterable[int]) -> QuerySet[MatterVersion]:
    return (
        MatterVersion.objects.filter(valid_to__isnull=True, matter__agency_id__in=list(agency_ids))
        .select_related("matter", "matter__agency")
        .order_by("category", "matter__code")
    )


def history(matter_id: int) -> QuerySet[MatterVersion]:
    return MatterVersion.objects.filter(matter_id=matter_id).order_by("-number")
