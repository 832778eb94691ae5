from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sanxiang.accounts.decorators import staff_view
from sanxiang.lib import roundtrip

from . import reports, respond

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN = 500


@staff_view
def report(request: HttpRequest, token: str) -> HttpResponse:
    """Every problem of a refused import, and the way to the annotated copy."""
    meta, problems = reports.load(request, token)
    context = {
        "meta": meta,
        "token": token,
        "problems": problems[:SHOWN],
        "total": len(problems),
        "cut": len(problems) > SHOWN,
    }
    return render(request, "imports/report.html", context)


@staff_view
def annotated(request: HttpRequest, token: str) -> HttpResponse:
    meta, problems = reports.load(request, token)
    body = roundtrip.annotate(reports.upload(token), problems)
    return respond.xlsx_file(body, f"{meta['filename']}-错误标注.xlsx")
