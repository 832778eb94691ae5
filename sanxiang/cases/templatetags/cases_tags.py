"""Template filters of the case pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from sanxiang.lib.money import format_yuan

register = template.Library()


@register.filter
def yuan(value: Decimal | None) -> str:
    """150000 → “150,000.00 元” (grouped by thousands as official documents write amounts)."""
    return format_yuan(value)
