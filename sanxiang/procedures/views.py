"""The published 执法流程图: public, no login, drawn from the definition on every request."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .definitions import DEFINITIONS
from .flowchart import render_svg


@require_GET
@cache_control(public=True, max_age=300)
def flowchart(request: HttpRequest, code: str) -> HttpResponse:
    definition = DEFINITIONS.get(code)
    if definition is None:
        raise Http404("没有该执法程序。")
    return HttpResponse(render_svg(definition), content_type="image/svg+xml; charset=utf-8")
