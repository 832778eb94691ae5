"""The public log at /gongshi/ledger/ (docs/public-log.md): checkpoints, keys, proofs, tools.

Read-only, no login. JSON answers bad input with ``{"error": {"code", "message"}}`` and a
4xx status; the HTML page shows the same Chinese message. Only published (or withdrawn)
items of the portal get inclusion proofs: the log's other entries stay internal, and only
hashes of them ever leave (as proof elements).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from sanxiang.ledger import public
from sanxiang.ledger.models import Checkpoint
from sanxiang.lib import merkle
from sanxiang.lib.errors import DomainError

from . import queries
from .models import Publication, PublicationStatus

View = Callable[..., HttpResponse]
LATEST = cache_control(public=True, max_age=60)
# A proof between two given sizes, or against a named checkpoint, never changes.
IMMUTABLE = cache_control(public=True, max_age=86400)


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def json_errors(view: View) -> View:
    """Bad input becomes a JSON 4xx with a Chinese message, never a 500 or an HTML page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as err:
            return _json(err.as_dict(), status=err.status)
        except Http404 as err:
            message = str(err) or "未找到。"
            return _json({"error": {"code": "not_found", "message": message}}, status=404)

    return wrapped


def _item_entry_by_id(raw: str) -> Publication:
    text = raw.strip()
    if not re.fullmatch(r"[0-9]{1,18}", text):
        raise DomainError("validation_error", "公示信息编号应为正整数。", field="item")
    return queries.public_item(int(text))


def _item_by_leaf(raw: str) -> Publication:
    leaf = public.parse_hash(raw, name="leaf_hash", label="叶子摘要")
    item = (
        Publication.objects.filter(
            ledger_entry__leaf_hash=leaf,
            status__in=[PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN],
        )
        .select_related("ledger_entry")
        .defer("source_text", "search_text")
        .first()
    )
    if item is None:
        raise DomainError("not_found", "没有以该叶子摘要记入账本的公示信息。")
    return item


def _published_item(request: HttpRequest) -> Publication:
    if request.GET.get("leaf_hash") is not None:
        return _item_by_leaf(request.GET["leaf_hash"])
    if request.GET.get("item") is not None:
        return _item_entry_by_id(request.GET["item"])
    raise DomainError("validation_error", "请给出公示信息编号 item 或叶子摘要 leaf_hash。")


def _inclusion(request: HttpRequest) -> tuple[Publication, dict[str, Any]]:
    item = _published_item(request)
    if item.ledger_entry is None:
        raise DomainError("not_found", "该公示信息没有账本记录。")
    size_raw = request.GET.get("tree_size")
    size = None
    if size_raw not in (None, ""):
        size = public.parse_size(size_raw, name="tree_size", label="检查点条目数")
    bundle = public.inclusion_document(item.ledger_entry, tree_size=size)
    bundle["publication"] = {
        "id": item.pk,
        "doc_number": item.doc_number,
        "status": item.status,
        "content_sha256": item.content_sha256,
    }
    return item, bundle


def _consistency(request: HttpRequest) -> dict[str, Any]:
    first = public.parse_size(request.GET.get("first"), name="first", label="起始条目数")
    second = public.parse_size(request.GET.get("second"), name="second", label="目标条目数")
    return public.consistency_document(first, second)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The page: latest checkpoint and cosignatures, keys, proof forms, downloads."""
    context: dict[str, Any] = {"recent": [], "latest": None}
    status = 200
    try:
        latest = public.latest()
        context["latest"] = public.checkpoint_document(latest)
        context["recent"] = public.recent(10)
    except DomainError:
        pass  # a fresh log: the page says there is no checkpoint yet
    context["keys"] = public.keys_document()
    try:
        if request.GET.get("first") or request.GET.get("second"):
            context["consistency"] = _checked_consistency(request)
        if request.GET.get("item") or request.GET.get("leaf_hash"):
            item, bundle = _inclusion(request)
            context.update(inclusion=bundle, inclusion_item=item)
    except (DomainError, Http404) as err:
        message = err.message if isinstance(err, DomainError) else "未找到该公示信息。"
        status = err.status if isinstance(err, DomainError) else 404
        context["error"] = message
    context["params"] = {k: request.GET.get(k, "")[:40] for k in ("first", "second", "item")}
    return render(request, "portal/ledger.html", context, status=status)


def _checked_consistency(request: HttpRequest) -> dict[str, Any]:
    """The proof, and whether it links the two signed checkpoints of those sizes (if any)."""
    doc = _consistency(request)
    old = Checkpoint.objects.filter(tree_size=doc["first"]).order_by("-id").first()
    new = Checkpoint.objects.filter(tree_size=doc["second"]).order_by("-id").first()
    doc["checked"] = None
    if old is not None and new is not None:
        try:
            merkle.verify_consistency(
                doc["first"],
                doc["second"],
                [bytes.fromhex(p) for p in doc["proof"]],
                bytes.fromhex(old.root_hash),
                bytes.fromhex(new.root_hash),
                hash_name=new.hash_name,
            )
            doc["checked"] = True
        except merkle.ProofError:
            doc["checked"] = False
    return doc


def _text(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


@require_GET
@LATEST
@json_errors
def checkpoint_text(request: HttpRequest) -> HttpResponse:
    """The latest checkpoint as a C2SP signed note, cosignature lines included."""
    return _text(public.checkpoint_note(public.latest()))


@require_GET
@LATEST
@json_errors
def checkpoint_json(request: HttpRequest) -> HttpResponse:
    return _json(public.checkpoint_document(public.latest()))


@require_GET
@LATEST
@json_errors
def checkpoints_json(request: HttpRequest) -> HttpResponse:
    after = public.parse_size(request.GET.get("after") or "0", name="after", label="after")
    limit = public.parse_size(request.GET.get("limit") or "100", name="limit", label="limit")
    return _json(public.checkpoint_list(after=after, limit=limit))


@require_GET
@LATEST
@json_errors
def keys_json(request: HttpRequest) -> HttpResponse:
    return _json(public.keys_document())


@require_GET
@IMMUTABLE
@json_errors
def consistency_json(request: HttpRequest) -> HttpResponse:
    return _json(_consistency(request))


@require_GET
@LATEST
@json_errors
def inclusion_json(request: HttpRequest) -> HttpResponse:
    return _json(_inclusion(request)[1])


# --- the offline tools, downloadable ----------------------------------------------------------

KIT_FILES = (
    "tools/verify_bundle.py",
    "tools/monitor_log.py",
    "sanxiang/__init__.py",
    "sanxiang/lib/__init__.py",
    "sanxiang/lib/merkle.py",
    "sanxiang/lib/canonical.py",
)
KIT_README = """三项制度平台 · 离线核验工具
============================

需要 Python 3.11 以上和 cryptography（Ed25519；国密 SM2 另需 gmssl）：
    pip install cryptography

核验一个核验包（电子案卷、公开账本的存在性证明 inclusion.json）：
    python tools/verify_bundle.py 文件.json --public-key <公开账本页公布的账本公钥>

跟踪公开账本（监测者）：每次运行取最新检查点，与上次记住的检查点做一致性核验：
    python tools/monitor_log.py <公开账本地址>/gongshi/ledger/ --log-key <账本公钥> \\
        --state monitor-state.json

两个工具只用 sanxiang/lib/ 下的纯 Python 模块（merkle.py、canonical.py），不需要 Django
和数据库。接口与格式见项目文档 docs/public-log.md 与 docs/ledger.md。
"""


def kit_zip() -> bytes:
    """The verifier kit: a fixed file list under one folder, with fixed timestamps (so the
    same code gives the same bytes and a download can be compared with the repository)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        stamp = (2026, 1, 1, 0, 0, 0)
        info = zipfile.ZipInfo("sanxiang-verifier/README.txt", stamp)
        archive.writestr(info, KIT_README.encode("utf-8"), zipfile.ZIP_DEFLATED)
        for name in KIT_FILES:
            data = (settings.BASE_DIR / name).read_bytes()
            info = zipfile.ZipInfo(f"sanxiang-verifier/{name}", stamp)
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


@require_GET
def tool_download(request: HttpRequest, name: str) -> HttpResponse:
    if name == "sanxiang-verifier.zip":
        response = HttpResponse(kit_zip(), content_type="application/zip")
    elif name in {"verify_bundle.py", "monitor_log.py"}:
        body = (settings.BASE_DIR / "tools" / name).read_bytes()
        response = HttpResponse(body, content_type="text/x-python; charset=utf-8")
    else:
        raise Http404("没有这个下载文件。")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
