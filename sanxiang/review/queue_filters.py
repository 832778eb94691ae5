"""Filters of the review queue, read from the URL like the case list's (cases/filters.py):
case number or title, party (name or 18-character code), status, reviewer, and the deadline
(red: past; yellow: within the catalogue's warning days). Bad input becomes a Chinese message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet

from sanxiang.cases.filters import IDENTIFIER, MAX_TEXT
from sanxiang.cases.models import Party
from sanxiang.lib import workdays

from .models import ReviewRound, RoundStatus

FIELDS = ("q", "party", "status", "reviewer", "level")
STATUSES = {RoundStatus.SUBMITTED.value: "待分配", RoundStatus.ASSIGNED.value: "审核中"}
LEVELS = {"red": "已超期", "yellow": "即将到期"}


@dataclass
class QueueFilter:
    raw: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    reviewer: int | None = None

    @classmethod
    def parse(cls, params: Any) -> QueueFilter:
        raw = {name: str(params.get(name, "")).strip()[:MAX_TEXT] for name in FIELDS}
        f = cls(raw=raw)
        if raw["status"] and raw["status"] not in STATUSES:
            f.errors.append("审核状态选择有误，请从列表中选择。")
        if raw["level"] and raw["level"] not in LEVELS:
            f.errors.append("审核期限选择有误，请从列表中选择。")
        if raw["reviewer"]:
            if raw["reviewer"].isdigit() and len(raw["reviewer"]) <= 9:
                f.reviewer = int(raw["reviewer"])
            else:
                f.errors.append("审核人员选择有误，请从列表中选择。")
        return f

    @property
    def active(self) -> bool:
        return any(self.raw.values())

    def query_string(self) -> str:
        return urlencode({k: v for k, v in self.raw.items() if v})

    def apply(
        self, rounds: QuerySet[ReviewRound], *, today: date, warn_days: int
    ) -> QuerySet[ReviewRound]:
        if self.errors:
            return rounds.none()
        raw = self.raw
        if raw["q"]:
            rounds = rounds.filter(
                Q(review__case__number__contains=raw["q"])
                | Q(review__case__title__contains=raw["q"])
            )
        if raw["party"]:
            code = raw["party"].upper()
            wanted = (
                Q(id_number=code) | Q(credit_code=code)
                if IDENTIFIER.fullmatch(code)
                else Q(name__contains=raw["party"])
            )
            parties = Party.objects.filter(wanted, case=OuterRef("review__case"))
            rounds = rounds.filter(Exists(parties))
        if raw["status"]:
            rounds = rounds.filter(status=raw["status"])
        if self.reviewer is not None:
            rounds = rounds.filter(reviewer_id=self.reviewer)
        if raw["level"] == "red":
            rounds = rounds.filter(due_on__lt=today)
        elif raw["level"] == "yellow":
            try:
                bound = workdays.add_working_days(today, warn_days)
            except workdays.CalendarGap:
                bound = today
            rounds = rounds.filter(due_on__gte=today, due_on__lte=bound)
        return rounds
