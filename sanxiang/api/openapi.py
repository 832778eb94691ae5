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


# The signed requests of the exchange API (docs/exchange.md, "Signing a request"; checked by
# exchange.services.check_request in this order), for the ``SignedClient`` scheme.
SIGNED_CLIENT = (
    "省级平台、信用平台的接口密钥（管理员在“数据交换 → 接口密钥”创建，密钥只显示一次）。"
    "每个请求带四个请求头并签名：\n\n"
    "- `X-Sanxiang-Key`：密钥标识（`sx_…`）\n"
    "- `X-Sanxiang-Timestamp`：Unix 秒；与服务器时间相差超过 300 秒即拒绝（`request_expired`）\n"
    "- `X-Sanxiang-Nonce`：8–64 个 ASCII 字符，同一密钥不得重复（重放为 409 `request_replayed`）\n"
    "- `X-Sanxiang-Signature`：小写十六进制的 HMAC-SHA256（启用国密时为 HMAC-SM3），"
    "密钥为接口密钥，签名串为以换行连接的六行：请求方法（大写）、路径（已解码，如 "
    "`/api/v1/exchange/transfers`）、规范化查询串（参数按键值排序，RFC 3986 百分号编码，"
    "`k=v` 以 `&` 连接）、请求体的十六进制摘要（同一哈希；GET 为空串的摘要）、时间戳、随机串"
    "（签名错误为 401 `signature_invalid`）。\n\n"
    "写操作（POST）另须 `Idempotency-Key`（1–80 个字符）：同一键同一请求体返回原结果，"
    "换了请求体为 422 `idempotency_mismatch`。请求体上限 256 KiB（413 `payload_too_large`）。"
    "密钥只能访问其权限范围（`read_master`、`read_decisions`、`read_statistics`、`push`）"
    "与执法主体范围内的数据（403 `forbidden`）。"
)
# What a signed operation answers beyond the generic examples: status → [(code, message)].
SIGNED_ERRORS: dict[int, list[tuple[str, str]]] = {
    401: [
        ("signature_invalid", "签名不正确。"),
        ("request_expired", "请求时间戳与服务器时间相差超过 300 秒，请校准时钟后重新签名。"),
        ("forbidden", "需要登录或有效的接口密钥。"),
    ],
    403: [("forbidden", "该密钥无“读取执法决定”权限。")],
    409: [
        ("request_replayed", "该请求已处理过（随机串重复），拒绝重放。"),
        ("conflict", "来文编号 省交〔2026〕15号 已接收，不能重复移送。"),
    ],
    413: [("payload_too_large", "请求体超过 262144 字节的上限。")],
    422: [
        ("validation_error", "请求数据有误：Idempotency-Key：必填。"),
        (
            "idempotency_mismatch",
            "该 Idempotency-Key 已用于内容不同的请求；同一幂等键只能对应同一请求体。",
        ),
    ],
}


def _error_response(status: int, *, signed: bool = False) -> dict[str, Any]:
    description, code, message = ERRORS[status]
    body: dict[str, Any] = {"schema": {"$ref": "#/components/schemas/Error"}}
    if signed and status in SIGNED_ERRORS:
        body["examples"] = {
            code: {"value": {"error": {"code": code, "message": text}}}
            for code, text in SIGNED_ERRORS[status]
        }
    else:
        body["example"] = {"error": {"code": code, "message": message}}
    return {"description": description, "content": {"application/json": body}}


# A string the services refuse when it is empty after ``str.strip()``: at least one character
# that is not whitespace. Written so that both Python's ``re`` (``\s`` = ``str.isspace``) and
# ECMAScript/Rust regexes (whose ``\s`` leaves out U+001C–U+001F and, in ECMAScript, U+0085)
# read it the same way.
NONBLANK = r"[^\s\u001c-\u001f\u0085]"
DATE_OR_EMPTY: dict[str, Any] = {"anyOf": [{"maxLength": 0}, {"format": "date"}]}
# Yuan as lib.money.parse_money takes them and a DecimalField(max_digits=12, decimal_places=2)
# holds them: digits with at most two decimals, or a whole number.
MONEY: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,2})?$"},
        {"type": "integer", "minimum": 0, "maximum": 9_999_999_999},
    ]
}
INT32 = 2_147_483_647  # a PostgreSQL integer column


def _refinements() -> dict[tuple[str, str], dict[str, Any]]:
    """What the services check beyond the types their schemas declare, written into the
    OpenAPI so that a request valid by the document is one the server accepts (schemathesis's
    ``positive_data_acceptance``). Keyed by (component schema, property) or
    ("<METHOD> <path>", query parameter); each names the check it documents. A key that no
    longer exists fails ``complete`` loudly rather than drifting."""
    from sanxiang.documents.kinds import all_kinds
    from sanxiang.records.models import Access, Label

    return {
        # disclosure.services.exclude / withdraw: 请填写……说明 / 理由
        ("ExcludeIn", "reason"): {"pattern": NONBLANK},
        ("WithdrawIn", "reason"): {"pattern": NONBLANK},
        # review.services._clean_catalogue: amounts in yuan, days whole and not negative,
        # the review at least one working day
        ("CatalogueIn", "fine_natural"): MONEY,
        ("CatalogueIn", "fine_organisation"): MONEY,
        ("CatalogueIn", "confiscation_value"): MONEY,
        ("CatalogueIn", "review_days"): {"minimum": 1, "maximum": INT32},
        ("CatalogueIn", "extension_days"): {"minimum": 0, "maximum": INT32},
        ("CatalogueIn", "warn_days"): {"minimum": 0, "maximum": INT32},
        # review.services.publish_catalogue: a revision takes effect later and says why
        ("CatalogueIn", "valid_from"): {"description": "生效日期；修订现行版本时须晚于其生效日期"},
        ("CatalogueIn", "note"): {"description": "修订说明；修订现行版本时必填"},
        # documents.services.issue: 未知的文书种类
        ("IssueIn", "kind"): {"enum": [k.code for k in all_kinds()]},
        # records.services.validate_metadata: label, 标题不能为空 / 不能超过200字
        ("PUT /api/v1/records/upload", "title"): {"pattern": NONBLANK, "maxLength": 200},
        ("PUT /api/v1/records/upload", "label"): {"enum": list(Label.values)},
        ("GET /api/v1/records/{record_id}/content", "purpose"): {
            "enum": list(Access.Purpose.values)
        },
        # disclosure.queries.SearchQuery.parse: 执法主体参数无效, 日期格式应为 2026-01-31
        ("GET /api/v1/disclosure/published", "agency"): {"pattern": "^[0-9]{0,18}$"},
        ("GET /api/v1/disclosure/published", "date_from"): DATE_OR_EMPTY,
        ("GET /api/v1/disclosure/published", "date_to"): DATE_OR_EMPTY,
    }


def _refine(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    for (where, name), extra in _refinements().items():
        if " " in where:
            method, path = where.split(" ", 1)
            operation = schema["paths"][path][method.lower()]
            (target,) = [p["schema"] for p in operation["parameters"] if p["name"] == name]
        else:
            target = components[where]["properties"][name]
        target.update(extra)


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    schemes = schema["components"].get("securitySchemes", {})
    if "SignedClient" in schemes:
        schemes["SignedClient"]["description"] = SIGNED_CLIENT
    _refine(schema)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            signed = any("SignedClient" in s for s in operation.get("security", []))
            for status in ERRORS:
                if status == 401 and not operation.get("security"):
                    continue
                responses.setdefault(str(status), _error_response(status, signed=signed))
                responses.setdefault(status, responses.pop(str(status)))
    return schema
