"""The JSON API (django-ninja) at /api/v1/. Errors have the DESIGN.md shape."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from sanxiang.lib.errors import DomainError

api = NinjaAPI(title="三项制度执法监督平台 API", version="1", urls_namespace="api")


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


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "forbidden", "需要登录或有效的接口密钥。")


@api.get("/health", tags=["系统"], summary="健康检查", auth=None)
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


# Each app owns its router; they are mounted here by import path (routers after the handlers).
api.add_router("/cases", "sanxiang.cases.api.router")
api.add_router("/documents", "sanxiang.documents.api.router")
api.add_router("/records", "sanxiang.records.api.router")
api.add_router("/review", "sanxiang.review.api.router")
api.add_router("/disclosure", "sanxiang.disclosure.api.router")
api.add_router("/exchange", "sanxiang.exchange.api.router")
