"""A refused import's report: kept for the person who uploaded it, so the page can list every
problem and offer the uploaded sheet back with the bad cells marked (built when downloaded)."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils import timezone

from sanxiang.lib.errors import DomainError
from sanxiang.lib.roundtrip import Problem

from .engine import SheetRefused

PREFIX = "sheet-reports"
SESSION_KEY = "sheet_reports"
KEEP = timedelta(days=1)
KEPT_PER_SESSION = 5


def save(request: HttpRequest, refused: SheetRefused, *, back: str, filename: str) -> str:
    """Store the upload and its problems; return the token only this session can open."""
    _forget_old()
    token = secrets.token_urlsafe(24)
    default_storage.save(f"{PREFIX}/{token}.xlsx", ContentFile(refused.data))
    meta = {
        "title": refused.layout.title,
        "back": back,
        "filename": filename,
        "user": request.user.pk,
        "created": timezone.now().isoformat(),
        "problems": [p.as_dict() for p in refused.problems],
    }
    default_storage.save(f"{PREFIX}/{token}.json", ContentFile(json.dumps(meta).encode()))
    tokens = [token, *request.session.get(SESSION_KEY, [])][:KEPT_PER_SESSION]
    request.session[SESSION_KEY] = tokens
    return token


def load(request: HttpRequest, token: str) -> tuple[dict[str, Any], list[Problem]]:
    if token not in request.session.get(SESSION_KEY, []):
        raise DomainError("not_found", "未找到该导入报告，或已过期（报告保留一天）。")
    name = f"{PREFIX}/{token}.json"
    if not default_storage.exists(name):
        raise DomainError("not_found", "未找到该导入报告，或已过期（报告保留一天）。")
    with default_storage.open(name) as fh:
        meta = json.loads(fh.read())
    if meta["user"] != request.user.pk:
        raise DomainError("not_found", "未找到该导入报告，或已过期（报告保留一天）。")
    return meta, [Problem.from_dict(p) for p in meta["problems"]]


def upload(token: str) -> bytes:
    with default_storage.open(f"{PREFIX}/{token}.xlsx") as fh:
        data: bytes = fh.read()
    return data


def _forget_old() -> None:
    try:
        _, files = default_storage.listdir(PREFIX)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - KEEP
    for name in files:
        path = f"{PREFIX}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue
