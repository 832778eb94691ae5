"""The portal frame's site facts (footer) and 长者模式 state, for every portal page."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

register = template.Library()

ELDER_COOKIE = "sx_elder"


@register.simple_tag
def portal_site() -> dict[str, str]:
    return dict(settings.PORTAL_SITE)


@register.simple_tag(takes_context=True)
def elder_mode(context: dict[str, Any]) -> bool:
    request = context.get("request")
    return bool(request is not None and request.COOKIES.get(ELDER_COOKIE) == "1")
