"""The public portal (公示平台) at /gongshi/: no login, read-only, fast on a phone.

事前 (who may enforce what, on which basis, by which procedure) and 事中 (certificate check,
window posts). The 事后 pages (decisions, search, verification, 年报) are in ``portal_results``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from sanxiang.catalog.views import parse_as_of
from sanxiang.directory.models import Agency, Officer
from sanxiang.lib.errors import DomainError

from . import portal_cache, queries
from . import portal_queries as pq
from .models import Post, SampleText
from .templatetags.portal import ELDER_COOKIE


def _bad_request(request: HttpRequest, err: DomainError) -> HttpResponse:
    return render(request, "portal/error.html", {"error": err}, status=400)


def _optional_agency(request: HttpRequest) -> Agency | None:
    raw = request.GET.get("agency", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("未找到该执法主体")
    return pq.public_agency(int(raw))


def qr_document(url: str) -> bytes:
    """A standalone SVG document of the QR code: served as an image it needs its ``xmlns``
    (``svg_inline`` leaves it out, and browsers then show nothing)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=True, svgns=True)
    return out.getvalue()


def qr_svg(url: str) -> HttpResponse:
    return HttpResponse(qr_document(url), content_type="image/svg+xml")


def absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    bodies = list(pq.public_bodies())
    context = {
        "bodies": bodies,
        "latest": queries.latest_published(limit=5),
        "reports": queries.report_status_for(bodies, today),
        "today": today,
    }
    return render(request, "portal/home.html", context)


@require_GET
def agency(request: HttpRequest, pk: int) -> HttpResponse:
    body = pq.public_agency(pk)
    try:
        as_of = parse_as_of(request.GET.get("as_of"))
    except DomainError as err:
        return _bad_request(request, err)
    today = timezone.localdate()
    scope = pq.scope_of(body)
    matters = pq.matter_list(scope, as_of)
    officers = pq.officers_with_state(scope, today)
    context = {
        "agency": body,
        "officers": officers,
        "officers_updated": pq.list_updated(officers),
        "matters": matters,
        "list_date": pq.list_version_date(matters),
        "as_of": as_of,
        "today": today,
        "posts": Post.objects.filter(agency_id__in=scope, is_active=True),
        "latest": queries.latest_published(limit=5, agency_id=body.pk),
        "report": queries.report_status_for([body], today)[0],
    }
    return render(request, "portal/agency.html", context)


def _cached(
    request: HttpRequest, template: str, context: Callable[[], dict[str, Any]], **params: Any
) -> HttpResponse:
    """A 事前 page from the portal cache (``lists`` scope: dropped when master data changes),
    keyed by the parameters the view read and today's date (certificates expire, list
    versions take effect by the day). Shared by everyone, so it carries no CSRF token."""
    path = portal_cache.normalised_path(request, {k: str(v or "") for k, v in params.items()})

    def rendered() -> HttpResponse:
        extra = {"csrf_token": "", "portal_path": path}
        return render(request, template, {**context(), **extra})

    key = f"{path}|{timezone.localdate().isoformat()}"
    return portal_cache.cached_page(request, rendered, scope=portal_cache.LISTS, path=key)


def _list_page(request: HttpRequest, template: str, *, random_only: bool = False) -> HttpResponse:
    try:
        as_of = parse_as_of(request.GET.get("as_of"))
    except DomainError as err:
        return _bad_request(request, err)
    body = _optional_agency(request)

    def context() -> dict[str, Any]:
        rows = pq.matter_list(pq.scope_of(body), as_of, random_only=random_only)
        return {
            "agency": body,
            "matters": rows,
            "list_date": pq.list_version_date(rows),
            "as_of": as_of,
        }

    agency_id = body.pk if body else None
    return _cached(request, template, context, agency=agency_id, as_of=as_of.isoformat())


@require_GET
def matters(request: HttpRequest) -> HttpResponse:
    """行政执法事项清单, district-wide or for ``?agency=``, as of ``?as_of=``."""
    return _list_page(request, "portal/matters.html")


@require_GET
def random_inspections(request: HttpRequest) -> HttpResponse:
    """随机抽查事项清单 (双随机、一公开): matters marked ``random_inspection``."""
    return _list_page(request, "portal/random_inspections.html", random_only=True)


@require_GET
def guide(request: HttpRequest, matter_id: int) -> HttpResponse:
    """服务指南 of one matter, with every field DOMAIN.md lists."""
    try:
        as_of = parse_as_of(request.GET.get("as_of"))
    except DomainError as err:
        return _bad_request(request, err)

    def context() -> dict[str, Any]:
        version = pq.guide(matter_id, as_of)
        return {
            "v": version,
            "as_of": as_of,
            "charts": pq.flowcharts_for(version.category),
            "samples": SampleText.objects.filter(matter_id=matter_id).only("material", "title"),
        }

    return _cached(request, "portal/guide.html", context, as_of=as_of.isoformat())


@require_GET
def officers(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    body = _optional_agency(request)

    def context() -> dict[str, Any]:
        rows = pq.officers_with_state(pq.scope_of(body), today)
        return {
            "agency": body,
            "officers": rows,
            "officers_updated": pq.list_updated(rows),
            "today": today,
        }

    return _cached(request, "portal/officers.html", context, agency=body.pk if body else None)


@require_GET
def procedures(request: HttpRequest) -> HttpResponse:
    """执法流程图, drawn from the procedure definitions the engine runs."""
    body = _optional_agency(request)
    today = timezone.localdate()
    charts = pq.flowcharts(pq.scope_of(body), today)
    context = {"agency": body, "charts": charts, "review_chart": pq.review_flowchart() is not None}
    return render(request, "portal/procedures.html", context)


@require_GET
@cache_control(public=True, max_age=300)
def review_flowchart(request: HttpRequest) -> HttpResponse:
    """法制审核流程图, drawn from the review procedure (``review.procedure.LEGAL_REVIEW``) as the
    执法流程图 are drawn from theirs; ``?agency=`` shows that agency's own review period."""
    from sanxiang.procedures.flowchart import render_svg

    found = pq.review_flowchart(_optional_agency(request))
    if found is None:
        raise Http404("本平台未启用法制审核。")
    definition, figures = found
    svg = render_svg(definition, title="重大执法决定法制审核流程图", figures=figures)
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@require_GET
def sample_download(request: HttpRequest, matter_id: int, pk: int) -> HttpResponse:
    """A 申请材料示范文本 as DOCX."""
    from . import samples

    version = pq.guide(matter_id, timezone.localdate())
    sample = SampleText.objects.filter(pk=pk, matter_id=matter_id).first()
    if sample is None:
        raise Http404("未找到该示范文本。")
    body = samples.docx_of(sample, agency_name=version.matter.agency.name, matter_name=version.name)
    response = HttpResponse(body, content_type=samples.DOCX)
    filename = f"sample-{matter_id}-{pk}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def lists(request: HttpRequest, pk: int) -> HttpResponse:
    """法制审核目录清单, 音像记录事项清单 and 环节文书要求 of one agency (lists owned by review,
    records and documents)."""
    body = pq.public_agency(pk)
    try:
        as_of = parse_as_of(request.GET.get("as_of"))
    except DomainError as err:
        return _bad_request(request, err)

    def context() -> dict[str, Any]:
        has_catalogue, catalogue = pq.review_catalogue(body, as_of)
        av = pq.av_list(body, as_of)
        return {
            "agency": body,
            "as_of": as_of,
            "has_catalogue": has_catalogue,
            "review_catalogue": catalogue,
            "av": av,
            "av_date": max((line.valid_from for line in av or ()), default=None),
            "step_documents": pq.step_documents(body, as_of),
        }

    return _cached(request, "portal/lists.html", context, as_of=as_of.isoformat())


@require_GET
def certificate(request: HttpRequest) -> HttpResponse:
    """执法证件查询: may this officer enforce today, and in what?"""
    number = request.GET.get("no", "").strip()[:40]
    today = timezone.localdate()
    result = pq.check_certificate(number, today) if number else None
    context = {"number": number, "result": result, "today": today, "searched": bool(number)}
    return render(request, "portal/certificate.html", context)


def certificate_url(number: str) -> str:
    return absolute(reverse("portal:certificate") + "?no=" + number)


@require_GET
def certificate_qr(request: HttpRequest, number: str) -> HttpResponse:
    """A QR code that opens the certificate check with the number filled in."""
    if not Officer.objects.filter(certificate_no=number).exists():
        raise Http404("未找到该执法证件")
    return qr_svg(certificate_url(number))


@require_GET
def post_board(request: HttpRequest, pk: int) -> HttpResponse:
    """岗位信息公示牌: printable A4 board for a service window, with its QR code."""
    post = Post.objects.filter(pk=pk, is_active=True).select_related("agency", "officer").first()
    if post is None:
        raise Http404("未找到该岗位")
    context = {"post": post, "board_url": absolute(reverse("portal:post", args=[post.pk]))}
    return render(request, "portal/post.html", context)


@require_GET
def post_qr(request: HttpRequest, pk: int) -> HttpResponse:
    if not Post.objects.filter(pk=pk, is_active=True).exists():
        raise Http404("未找到该岗位")
    return qr_svg(absolute(reverse("portal:post", args=[pk])))


@require_GET
def elder_mode(request: HttpRequest) -> HttpResponse:
    """长者模式 on or off (larger text, higher contrast), remembered for a year in a cookie.
    A plain link, so it works without scripts; ``next`` may only point inside this site."""
    target = request.GET.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = reverse("portal:home")
    response = HttpResponseRedirect(target)
    if request.GET.get("on") == "1":
        response.set_cookie(ELDER_COOKIE, "1", max_age=365 * 86400, samesite="Lax")
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    """网站地图: every section of the portal and every public agency's pages."""
    return render(request, "portal/sitemap.html", {"bodies": list(pq.public_bodies())})


# Chinese error pages in the portal frame (ROOT_URLCONF's handler400/403/404/500).
ERRORS = {
    400: ("请求有误", "请求的参数不正确，请检查后重试。"),
    403: ("无权访问", "您没有访问该页面的权限。"),
    404: ("页面不存在", "您访问的页面不存在或已被撤回。"),
    500: ("系统繁忙", "服务器暂时无法处理您的请求，请稍后再试。"),
}


def _error_page(request: HttpRequest, status: int, exception: object = None) -> HttpResponse:
    title, message = ERRORS[status]
    detail = str(exception or "")
    # Only the project's own Chinese messages are shown; Django's English internals are not.
    if not detail.isascii() and len(detail) <= 100:
        message = detail
    context = {"status": status, "title": title, "message": message}
    try:
        return render(request, "portal/http_error.html", context, status=status)
    except Exception:
        return HttpResponse(
            f"{status} {title}：{message}", status=status, content_type="text/plain; charset=utf-8"
        )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, 400, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, 403, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, 404, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page(request, 500)
