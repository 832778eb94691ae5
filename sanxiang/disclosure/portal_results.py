"""The portal's 事后 pages: published decisions, search, open data, 验证 and the 年报."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from sanxiang.lib.errors import DomainError

from . import corrections, exports, open_data, portal_cache, queries, verification
from . import portal_queries as pq
from .models import AnnualReport, Publication, RuleCategory
from .report import tables_for


def _search(request: HttpRequest) -> queries.SearchQuery:
    return queries.SearchQuery.parse(request.GET.dict())


@require_GET
def decisions(request: HttpRequest) -> HttpResponse:
    """执法决定 list and search (by party, matter, 文号, date range), paginated.

    Both the list and every search result page are served from the cache until a decision is
    published, withdrawn or expires (portal_cache, ``decisions`` scope), keyed by the
    normalised search (folded, sorted words; agency; dates; page number)."""
    try:
        query = _search(request)
    except DomainError as err:
        return render(request, "portal/error.html", {"error": err}, status=400)
    number = queries.page_number(request.GET.get("page"))
    params = {**query.cache_params(), "page": str(number) if number > 1 else ""}
    path = portal_cache.normalised_path(request, params)

    def rendered() -> HttpResponse:
        page = queries.result_page(query, str(number))
        context = {
            "query": query,
            "page": page,
            "params": query.cache_params(),
            "shown_text": " ".join(query.words()),
            "bodies": pq.public_bodies(),
            "short_words": [w for w in query.words() if len(w) < 3],
            # A page shared by everyone carries no one's CSRF token (it would give away the
            # first visitor's secret); the list has only GET forms.
            "csrf_token": "",
            "portal_path": path,
        }
        return render(request, "portal/decisions.html", context)

    return portal_cache.cached_page(request, rendered, path=path)


@require_GET
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    """One decision: 摘要 then the masked text; a withdrawn one shows only the notice."""
    item = queries.public_item(pk)
    context = {"item": item, "corrections": corrections.answered_for("decision", item.pk)}
    return render(request, "portal/decision.html", context)


# Open data is streamed: every matching row, read from the database in chunks (no row limit,
# constant memory), so a download of a million decisions neither stops early nor exhausts RAM.
CHUNK = 2000


def _open_rows(request: HttpRequest) -> Iterator[dict[str, Any]]:
    rows = queries.search(_search(request))
    return (exports.open_row(item) for item in rows.iterator(chunk_size=CHUNK))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    writer = csv.DictWriter(_Echo(), fieldnames=list(exports.OPEN_FIELDS))
    yield "\ufeff"  # so spreadsheet programs read UTF-8
    yield writer.writerow(exports.OPEN_FIELDS)
    for row in rows:
        yield writer.writerow({k: exports.csv_safe(v) for k, v in row.items()})


@require_GET
def decisions_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    try:
        rows = _open_rows(request)
    except DomainError as err:
        return HttpResponse(err.message, status=400, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="decisions.csv"'
    return response


def _json_chunks(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    fields = {k: v for k, v in exports.OPEN_FIELDS.items()}
    yield '{"fields": ' + json.dumps(fields, ensure_ascii=False) + ', "results": ['
    for i, row in enumerate(rows):
        yield ("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"


@require_GET
def decisions_json(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    try:
        rows = _open_rows(request)
    except DomainError as err:
        return JsonResponse(err.as_dict(), status=err.status)
    return StreamingHttpResponse(_json_chunks(rows), content_type="application/json; charset=utf-8")


TOMBSTONES_NS = "http://purl.org/atompub/tombstones/1.0"


class TombstoneAtomFeed(Atom1Feed):
    """Atom with RFC 6721 ``<at:deleted-entry ref= when=>`` for withdrawn decisions, so a
    reader that stored an entry learns that it was withdrawn (and why) instead of losing it."""

    def root_attributes(self) -> dict[str, str]:
        attrs: dict[str, str] = super().root_attributes()
        attrs["xmlns:at"] = TOMBSTONES_NS
        return attrs

    def add_root_elements(self, handler: Any) -> None:
        super().add_root_elements(handler)
        for ref, when, comment in self.feed.get("tombstones", ()):
            handler.startElement("at:deleted-entry", {"ref": ref, "when": when})
            handler.addQuickElement("at:comment", comment)
            handler.endElement("at:deleted-entry")


def entry_id(pk: int) -> str:
    return settings.PUBLIC_BASE_URL + reverse("portal:decision", args=[pk])


class DecisionsFeed(Feed):
    """Atom feed of newly published decisions (masked text only), with ``<updated>`` per entry
    and tombstones for the decisions withdrawn lately."""

    feed_type = TombstoneAtomFeed
    title = "行政执法决定公示"
    subtitle = "新公示的行政处罚、行政许可等执法决定（已脱敏）"

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Per-agency (``?agency=``) and per-category (``?category=penalty``) feeds."""
        agency, category = request.GET.get("agency", ""), request.GET.get("category", "")
        if (agency and not agency.isdigit()) or (category and category not in RuleCategory.values):
            raise Http404("订阅参数无效")
        return {"agency": int(agency) if agency else None, "category": category}

    def link(self, obj: dict[str, Any]) -> str:
        return reverse("portal:decisions") + (f"?agency={obj['agency']}" if obj["agency"] else "")

    def _filtered(self, rows: Any, obj: dict[str, Any]) -> Any:
        if obj["agency"] is not None:
            rows = rows.filter(agency_id=obj["agency"])
        if obj["category"]:
            rows = rows.filter(category=obj["category"])
        return rows

    def items(self, obj: dict[str, Any]) -> list[Publication]:
        rows = queries.published().only(*queries.PUBLIC_FIELDS, "masked_text")
        return list(self._filtered(rows, obj).order_by("-published_at", "-id")[:50])

    def item_title(self, item: Publication) -> str:
        return f"{item.doc_number} {item.party}"

    def item_description(self, item: Publication) -> str:
        return f"{item.matter_name}；{item.outcome}。\n{item.masked_text}"

    def item_link(self, item: Publication) -> str:
        return reverse("portal:decision", args=[item.pk])

    def item_pubdate(self, item: Publication) -> Any:
        return item.published_at

    def item_updateddate(self, item: Publication) -> Any:
        return item.published_at

    def item_guid(self, item: Publication) -> str:
        return entry_id(item.pk)

    item_guid_is_permalink = True

    def feed_extra_kwargs(self, obj: Any) -> dict[str, Any]:
        withdrawn = (
            self._filtered(
                Publication.objects.filter(status="withdrawn", withdrawn_at__isnull=False), obj
            )
            .only("id", "withdrawn_at", "withdrawal_kind", "withdrawal_reason")
            .order_by("-withdrawn_at", "-id")[:50]
        )
        tombstones = [
            (
                entry_id(w.pk),
                w.withdrawn_at.isoformat(),
                f"已撤回：{w.get_withdrawal_kind_display()}。{w.withdrawal_reason}",
            )
            for w in withdrawn
            if w.withdrawn_at is not None
        ]
        return {"tombstones": tombstones}

    def item_author_name(self, item: Publication) -> str:
        return item.agency_name


def _proof_from(request: HttpRequest) -> dict[str, Any] | None:
    raw = (request.POST.get("proof") or request.GET.get("proof") or "").strip()
    if not raw:
        return None
    try:
        proof = json.loads(raw)
    except ValueError:
        raise DomainError("validation_error", "证明不是有效的 JSON 文本。") from None
    if not isinstance(proof, dict):
        raise DomainError("validation_error", "证明应为一个 JSON 对象。")
    return proof


MAX_UPLOAD = 20 * 1024 * 1024  # a decision's PDF is well under this


def _file_digest(request: HttpRequest) -> str:
    """The SHA-256 of the file being checked: computed in the browser (``file_sha256``) or
    from an upload (``file``); "" when no file was checked."""
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size is not None and upload.size > MAX_UPLOAD:
            raise DomainError("payload_too_large", "文件过大（超过 20 MB），请在浏览器中核对。")
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        return digest.hexdigest()
    raw = (request.POST.get("file_sha256") or request.GET.get("file_sha256") or "").strip()
    if raw and not re.fullmatch("[0-9a-fA-F]{64}", raw):
        raise DomainError("validation_error", "文件摘要应为 64 位十六进制 SHA-256 值。")
    return raw.lower()


def _param(request: HttpRequest, name: str) -> str:
    return (request.POST.get(name) or request.GET.get(name) or "").strip()


@csrf_exempt  # a public, read-only check: nothing is written, no session is used
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """验证: a published item (?item=), a pasted proof, or an issued document (?doc=&sha256=,
    with a file checked in the browser ``file_sha256=`` or uploaded ``file``)."""
    context: dict[str, Any] = {"subject": None}
    item_raw = request.GET.get("item", "")
    doc, digest = _param(request, "doc"), _param(request, "sha256")
    try:
        proof = _proof_from(request)
        file_digest = _file_digest(request)
    except DomainError as err:
        status = 413 if err.code == "payload_too_large" else 400
        return render(request, "portal/verify.html", {"error": err}, status=status)
    if proof is not None:
        ok, explanation = verification.check_proof(proof)
        verdict = verification.Verdict(ok, [(ok, explanation)], proof=proof)
        context.update(subject="proof", verdict=verdict)
        context["proof_text"] = json.dumps(proof, ensure_ascii=False, indent=1)
    elif item_raw:
        if not item_raw.isdigit():
            raise Http404("未找到该公示信息")
        item = queries.public_item(int(item_raw))
        context.update(subject="item", item=item, verdict=verification.verify_item(item))
    elif doc:
        verdict = verification.verify_document(doc[:80], digest[:64], file_sha256=file_digest)
        context.update(subject="doc", doc=doc, sha256=digest[:64], verdict=verdict)
    return render(request, "portal/verify.html", context)


def _published_report(agency_id: int, year: int) -> AnnualReport:
    report = (
        AnnualReport.objects.filter(agency_id=agency_id, year=year, published_at__isnull=False)
        .select_related("agency")
        .first()
    )
    if report is None:
        raise Http404("该年度年报尚未发布")
    return report


@require_GET
def report(request: HttpRequest, agency_id: int, year: int) -> HttpResponse:
    found = _published_report(agency_id, year)
    tables = tables_for(agency_id=agency_id, year=year)
    return render(
        request,
        "portal/report.html",
        {"report": found, "tables": tables, "chart": exports.chart_data(tables)},
    )


@require_GET
def report_download(request: HttpRequest, agency_id: int, year: int, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "pdf"}:
        raise Http404("不支持的下载格式")
    found = _published_report(agency_id, year)
    tables = tables_for(agency_id=agency_id, year=year)
    if fmt == "xlsx":
        body, ctype = exports.report_xlsx(found, tables), exports.XLSX
    else:
        body, ctype = exports.report_pdf(found, tables), "application/pdf"
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="report-{year}.{fmt}"'
    return response


# --- open data of the other public lists (open_data.DATASETS) ---------------------------------


@require_GET
def open_data_index(request: HttpRequest) -> HttpResponse:
    """开放数据: every downloadable list with its schema (field keys and labels)."""
    context = {
        "datasets": list(open_data.DATASETS.values()),
        "decision_fields": exports.OPEN_FIELDS,
        "bodies": pq.public_bodies(),
    }
    return render(request, "portal/open_data.html", context)


@require_GET
def open_data_file(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    dataset = open_data.DATASETS.get(name)
    if dataset is None or fmt not in {"csv", "json"}:
        raise Http404("没有该开放数据集")
    today = timezone.localdate()
    rows = open_data.rows_of(name, today)
    if fmt == "json":
        body = {
            "dataset": name,
            "title": dataset.title,
            "as_of": today.isoformat(),
            "fields": dataset.fields,
            "results": rows,
        }
        response: HttpResponse = JsonResponse(
            body, json_dumps_params={"ensure_ascii": False}, charset="utf-8"
        )
    else:
        response = HttpResponse(
            "".join(_csv_table(dataset.fields, rows)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return portal_cache.revalidate(response)


def _csv_table(fields: dict[str, str], rows: list[dict[str, Any]]) -> Iterator[str]:
    writer = csv.DictWriter(_Echo(), fieldnames=list(fields))
    yield "\ufeff"
    yield writer.writerow(fields)
    for row in rows:
        yield writer.writerow({k: exports.csv_safe(v) for k, v in row.items()})
