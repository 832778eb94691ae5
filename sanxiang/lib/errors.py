"""Domain errors with a stable machine code and a Chinese message for people.

The codes are a contract (DESIGN.md). ``HTTP_STATUS`` lists every code with the HTTP status the
API answers it with, grouped by the part of the system that introduced it (add new codes in your
own commented group, so parallel work does not collide). Views and the API turn a DomainError
into a 4xx answer.
"""

from __future__ import annotations

HTTP_STATUS = {
    "validation_error": 422,
    "not_found": 404,
    "forbidden": 403,
    "transition_not_allowed": 409,
    "officer_not_certified": 422,
    "av_record_required": 409,
    "legal_review_required": 409,
    "deadline_passed": 409,
    "conflict": 409,
    "calendar_gap": 422,
    # ledger.append of an event type no app declared (ledger/registry.py): a programming error.
    "event_type_unregistered": 500,
    # Signed requests of the exchange API (docs/exchange.md).
    "signature_invalid": 401,
    "request_expired": 401,
    "request_replayed": 409,
    "payload_too_large": 413,
    "idempotency_mismatch": 422,
    # 双随机 draws (docs/draw.md): refused before anything is drawn.
    "draw_ratio_invalid": 422,
    "draw_no_eligible_target": 422,
    "draw_too_few_inspectors": 422,
    "draw_input_changed": 409,
    "draw_reason_required": 422,
    "draw_seed_pending": 409,
    # Too many public submissions from one address (the portal's 纠错 form).
    "rate_limited": 429,
    # The agency's seal certificate cannot sign now (expired, not yet valid, unreadable).
    "seal_invalid": 409,
    # A party link (applicant/) that has expired or was revoked by staff.
    "party_link_invalid": 410,
    # A party link opened from another browser than the one it is bound to (its first use).
    "link_other_browser": 403,
    # A step of the procedure taken without the document it needs (documents/guards.py):
    # the message names the document and the article.
    "document_required": 409,
    # Structured 笔录 (transcripts/, issue 10 item 3): a sealed one is changed; sealing with a
    # person unsigned; a drawn signature that is no real, non-blank PNG; 拒签 with no witness.
    "record_signed": 409,
    "record_unsigned": 409,
    "signature_invalid_image": 422,
    "refusal_witness_required": 422,
    # 归档 while the case file lacks a document it must hold (documents/guards.complete_file,
    # procedures/filing.py): the message names every one missing.
    "file_incomplete": 409,
    # Issuing a 行政处罚决定书 whose draft names no provision violated
    # (行政处罚法 第59条第（二）项; documents/services._check_may_issue).
    "violated_provision_required": 422,
    # Publishing a decision for which no 决定书 was issued (disclosure/services.publish): the
    # published text is the issued document's (issue 10 item 11).
    "decision_document_required": 409,
    # A decision while a period the law makes the agency wait out still runs (陈述申辩, 听证
    # request: 行政处罚法 第45、62、64条; cases/order.py).
    "period_running": 409,
    # The party's side online (applicant/, issue 16): a decision while the party's online
    # hearing request stands and no hearing was held (行政处罚法 第63-64条, cases/order.py);
    # an online application for a matter whose 服务指南 takes none (行政许可法 第29、33条).
    "hearing_requested": 409,
    # The 听证通知书 and the hearing (cases/hearings.py, 行政处罚法 第64条): a hearing less than
    # 7 working days after the notice; an investigator presiding; the decision before the
    # scheduled hearing day.
    "hearing_notice_too_late": 422,
    # 行政处罚法 第30条、第31条、第36条 (cases/no_penalty.py): a 不予处罚 ground the case's facts do
    # not bear out (a legal person under 第30条, a party fourteen on the day of the act, an act
    # discovered within the 追责期限).
    "no_penalty_ground_unfounded": 422,
    "hearing_presiding_investigator": 422,
    "hearing_not_held": 409,
    # 行政处罚法 第57条第2款 (review/collective.py): a decision the heads must discuss, without
    # their 集体讨论 concluding for it or without its 集体讨论记录.
    "collective_discussion_required": 409,
    "online_application_unavailable": 409,
    # A party link opened before the configured 统一身份认证 channel proved who the visitor is
    # (applicant/identity.py).
    "real_name_required": 401,
    # A clock extended a second time (行政许可法 第42条, 行政强制法 第25条: once, with the head's
    # approval; cases/services/extensions.py); extending one that ran out is deadline_passed.
    "deadline_extended_once": 409,
    # 查封、扣押 (coercion/, 行政强制法 第24、28条): the 清单 changed after the 查封扣押决定书
    # printed it; a case closed while what was seized is neither released nor confiscated.
    "seizure_list_issued": 409,
    "seizure_not_released": 409,
    # Resumable uploads (tus 1.0 with the checksum extension; records/resumable.py,
    # docs/records.md): each refuses one request and changes nothing.
    "upload_request_invalid": 400,
    "upload_checksum_invalid": 400,
    "upload_not_found": 404,
    "upload_offset_mismatch": 409,
    "upload_expired": 410,
    "upload_version_unsupported": 412,
    "upload_too_large": 413,
    "upload_type_mismatch": 415,
    "upload_hash_mismatch": 422,
    "upload_busy": 423,
    # tus checksum extension: 460 Checksum Mismatch (the chunk is discarded; send it again).
    "upload_checksum_mismatch": 460,
    # Execution of a penalty decision and 时效 at 立案 (cases/execution.py, issue 10 item 7):
    # a payment above what is due on its day, or dated before the decision; 结案 before the
    # decision is executed (the message names what is missing); the court application before
    # its time, without its 催告书 or after its window (行政强制法 第53-54条); 立案 past the
    # period of 行政处罚法 第36条.
    "payment_exceeds_due": 422,
    "payment_before_decision": 422,
    "execution_incomplete": 409,
    "enforcement_not_ready": 409,
    "limitation_expired": 422,
    # A 准予行政许可 decision without the licence's terms (licensing/, 行政许可法 第39条).
    "licence_terms_required": 409,
    # A versioned list (执法人员, 裁量基准) whose version no longer hashes to what was recorded:
    # refused rather than used (``directory.versioning``); 409 — the state must be mended first.
    "version_tampered": 409,
    # 作出决定 on a day whose 裁量基准 band differs from the one the draft was checked against.
    "benchmark_changed": 409,
    # A draft whose penalty kinds the 裁量基准 line of its circumstance does not allow (the
    # matter's 罚则), or kinds that cannot be imposed together on one act (cases/services/
    # drafts.py).
    "penalty_kind_outside_benchmark": 422,
    "penalty_kinds_conflict": 422,
    # Parties (cases/services/parties.py, issue 10 item 4): a party an issued document names
    # deleted, or changed without a correction's reason; a 委托代理人 without the 授权委托书.
    "party_named_in_document": 409,
    "agent_letter_required": 422,
}


class DomainError(Exception):
    """A refusal the user can understand: ``code`` for machines, ``message`` in Chinese."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        if code not in HTTP_STATUS:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    @property
    def status(self) -> int:
        return HTTP_STATUS[self.code]

    def as_dict(self) -> dict[str, dict[str, str]]:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return {"error": body}


class ValidationFailed(DomainError):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__("validation_error", message, field=field)
