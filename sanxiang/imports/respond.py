"""What a list's import view answers: the outcome as a message, or the report page of a refusal."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from sanxiang.lib.errors import DomainError

from . import reports
from .engine import Outcome, SheetRefused

MAX_UPLOAD = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_file(body: bytes, filename: str) -> HttpResponse:
    """A workbook as a download named ``filename`` (RFC 5987, so a Chinese name survives)."""
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def import_sheet(
    request: HttpRequest, *, back: str, filename: str, run: Callable[[bytes], Outcome]
) -> HttpResponse:
    """Read the posted file, run the list's import; a refusal goes to the report page."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要导入的 .xlsx 文件。")
        return redirect(back)
    if upload.size is not None and upload.size > MAX_UPLOAD:
        limit = MAX_UPLOAD // 1024 // 1024
        messages.error(request, f"文件超过 {limit} MB，未导入。请分成几个文件。")
        return redirect(back)
    try:
        outcome = run(upload.read())
    except SheetRefused as refused:
        token = reports.save(request, refused, back=back, filename=filename)
        return redirect(reverse("imports:report", args=[token]))
    except DomainError as err:
        messages.error(request, f"导入失败，未保存任何数据。{err.message}")
        return redirect(back)
    if outcome.nothing_to_change:
        messages.info(request, outcome.message())
    else:
        messages.success(request, outcome.message())
    return redirect(back)
