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


# pydantic's error types in Chinese (the message is for people; STYLE.md). A type not listed
# keeps pydantic's own text rather than a wrong translation.
MESSAGES = {
    "missing": "必填",
    "string_type": "应为文本",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符（不能为空白）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "greater_than": "应大于 {gt}",
    "less_than": "应小于 {lt}",
    "literal_error": "应为以下之一：{expected}",
    "enum": "应为以下之一：{expected}",
    "date_type": "应为日期（如 2026-01-31）",
    "date_parsing": "应为日期（如 2026-01-31）",
    "date_from_datetime_parsing": "应为日期（如 2026-01-31）",
    "datetime_parsing": "应为时间（如 2026-01-31T09:00:00+08:00）",
    "json_invalid": "不是合法的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为数组",
}


def _problem(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", [])[1:]) or "请求"
    template = MESSAGES.get(str(error.get("type", "")))
    try:
        text = template.format(**error.get("ctx", {})) if template else error.get("msg", "")
    except (KeyError, IndexError):
        text = error.get("msg", "")
    return f"{where}：{text}"


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = "；".join(_problem(e) for e in exc.errors)
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
