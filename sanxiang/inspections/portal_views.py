"""一公开: plans, draw certificates and results on the public portal (no login)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sanxiang.lib.errors import DomainError

from . import queries
from .models import Plan
from .views import _certificate_response

ROOT = Path(__file__).resolve().parents[2]
# What tools/verify_draw.py needs, and nothing else of the project (docs/draw.md §6).
VERIFIER_FILES = (
    "tools/verify_draw.py",
    "tools/verify_bundle.py",
    "sanxiang/__init__.py",
    "sanxiang/lib/__init__.py",
    "sanxiang/lib/draw.py",
    "sanxiang/lib/merkle.py",
    "sanxiang/lib/canonical.py",
    "sanxiang/lib/errors.py",
    "docs/draw.md",
)


def _public_plan(pk: int) -> Plan:
    try:
        return queries.public_plan(pk)
    except DomainError:
        raise Http404("未找到该抽查计划。") from None


@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    return render(request, "inspections/portal_plans.html", {"plans": queries.public_plans()})


@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    found = _public_plan(pk)
    draws = queries.public_draws(found)
    context = {
        "plan": found,
        "matters": found.matters.order_by("code"),
        "summaries": [queries.summary(d) for d in draws],
        "results": queries.public_results(found),
        "joint": found.joint_agencies.exists(),
    }
    return render(request, "inspections/portal_plan.html", context)


@require_GET
def certificate(request: HttpRequest, pk: int, round_no: int) -> HttpResponse:
    found = _public_plan(pk)
    try:
        text = queries.certificate(found, round_no)
    except DomainError:
        raise Http404("该轮抽取尚未完成。") from None
    return _certificate_response(found.number, round_no, text)


@require_GET
def verifier(request: HttpRequest) -> HttpResponse:
    """The standalone verifier as a zip: unpack, then ``python tools/verify_draw.py``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in VERIFIER_FILES:
            archive.write(ROOT / name, f"sanxiang-verify-draw/{name}")
    response = HttpResponse(out.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="sanxiang-verify-draw.zip"'
    return response
