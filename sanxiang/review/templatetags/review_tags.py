"""``{% load review_tags %}{% review_status case %}`` shows the legal-review status on the case
page: whether the drafted decision is major, which rule made it so, and what the gate says.

A template tag, so that ``cases`` shows it without importing ``review`` (DESIGN.md layering).
"""

from __future__ import annotations

from typing import Any

from django import template

from .. import queries

register = template.Library()


@register.inclusion_tag("review/_case_status.html")
def review_status(case: Any) -> dict[str, Any]:
    return {"review_status": queries.status_for(case)}
