"""Helpers shared by the case services (they run inside the caller's transaction)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.catalog.models import Matter, MatterVersion
from sanxiang.catalog.queries import in_force_on
from sanxiang.lib.errors import ValidationFailed
from sanxiang.lib.money import MoneyError, parse_money

from ..models import Case
from ..queries import is_on_team


def local_today() -> date:
    return timezone.localdate()


def matter_category(matter: Matter, on: date) -> str:
    version = MatterVersion.objects.filter(in_force_on(on), matter=matter).first()
    if version is None:
        raise ValidationFailed("该执法事项在立案日期不在有效期内。", field="matter_id")
    return version.category


def parse_amount(raw: Decimal | str | None, field_name: str) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return parse_money(raw)
    except MoneyError as error:
        raise ValidationFailed(str(error), field=field_name) from None


def may_take(actor: Any, case: Case, roles: frozenset[str], *, head_approval: bool) -> bool:
    """Whether ``actor`` may take a step: the head for approvals, a team member otherwise."""
    if actor.is_superuser:
        return True
    if actor.role == Role.HEAD and Role.HEAD in roles:
        return True
    if head_approval:
        return False
    return actor.role in roles and is_on_team(actor, case)
