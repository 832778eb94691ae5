"""Completes the generated OpenAPI: every operation documents the error answers it can give, in
the one error shape of DESIGN.md, with the machine codes as an enum and an example each.

django-ninja documents only the success responses an operation declares; the errors come from
the exception handlers in api.py, which serve every operation alike, so they are added here once
rather than repeated on each route."""

from __future__ import annotations

from typing import Any

from sanxiang.lib.errors import HTTP_STATUS

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": False,
            "properties": {
                "code": {
                    "type": "string",
                    "enum": sorted({*HTTP_STATUS, "rate_limited", "server_error"}),
                    "description": "稳定的机器可读错误码（DESIGN.md）",
                },
                "message": {"type": "string", "description": "给人看的中文说明"},
                "field": {"type": "string", "description": "出错的字段（如有）"},
            },
        }
    },
}

# status → (description, example code, example message)
ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("请求格式有误（如请求体不是合法的 JSON）", "validation_error", "请求数据有误。"),
    401: ("未登录，或接口密钥、签名、时间戳无效", "forbidden", "需要登录或有效的接口密钥。"),
    403: ("无权执行此操作（角色、执法主体或密钥权限范围不符）", "forbidden", "无权访问。"),
    404: ("对象不存在，或不在可访问范围内", "not_found", "未找到该对象，或无权访问。"),
    405: ("不支持该请求方法", "validation_error", "不支持该请求方法。"),
    409: ("与当前状态冲突（已处理、重放的请求等）", "conflict", "该事项已被他人处理。"),
    413: ("请求体超过上限", "payload_too_large", "请求体超过上限。"),
    422: ("请求数据校验未通过", "validation_error", "请求数据有误：title：必填。"),
}


def _error_response(status: int) -> dict[str, Any]:
    description, code, message = ERRORS[status]
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
                "example": {"error": {"code": code, "message": message}},
            }
        },
    }


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status in ERRORS:
                if status == 401 and not operation.get("security"):
                    continue
                responses.setdefault(str(status), _error_response(status))
                responses.setdefault(status, responses.pop(str(status)))
    return schema
