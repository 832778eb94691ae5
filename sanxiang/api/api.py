"""The JSON API (django-ninja) at /api/v1/. Errors have the DESIGN.md shape."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sanxiang.lib.errors import DomainError

from . import openapi


class SanxiangAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return openapi.complete(super().get_openapi_schema(*args, **kwargs))


api = SanxiangAPI(
    title="三项制度执法监督平台 API",
    version="1",
    urls_namespace="api",
    description=(
        "员工接口使用登录会话；省级平台、信用平台使用带权限范围的接口密钥并对每个请求签名"
        "（见 docs/exchange.md）。所有错误均为 "
        '`{"error": {"code": "…", "message": "…"}}`。'
    ),
)


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message}}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = "；".join(
        f"{'.'.join(str(p) for p in e.get('loc', [])[1:]) or '请求'}：{e.get('msg', '')}"
        for e in exc.errors
    )
    return _error(request, 422, "validation_error", f"请求数据有误：{details}")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "validation_error", 403: "forbidden", 404: "not_found", 405: "validation_error"}
    code = codes.get(exc.status_code, "conflict" if exc.status_code == 409 else "validation_error")
    message = "请求被拒绝（CSRF 校验失败）。" if exc.status_code == 403 else "请求格式有误。"
    return _error(request, exc.status_code, code, message)


@api.exception_handler(MultiPartParserError)
def on_bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return _error(request, 400, "validation_error", "请求体格式有误（multipart 缺少 boundary）。")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "未找到该对象，或无权访问。")


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "forbidden", "需要登录或有效的接口密钥。")


@api.get("/health", tags=["系统"], summary="健康检查", auth=None)
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


# Each app owns its router; they are mounted here by import path (routers after the handlers).
api.add_router("/cases", "sanxiang.cases.api.router")
api.add_router("/documents", "sanxiang.documents.api.router")
api.add_router("/transcripts", "sanxiang.transcripts.api.router")
api.add_router("/records", "sanxiang.records.api.router")
api.add_router("/review", "sanxiang.review.api.router")
api.add_router("/disclosure", "sanxiang.disclosure.api.router")
api.add_router("/exchange", "sanxiang.exchange.api.router")
