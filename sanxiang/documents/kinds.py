"""The generic set of enforcement documents (文书): what each is called, its 字 in the 文号, and
whether it is numbered, single per case, a decision (carries the verification QR code) or a
letter (red 版头) rather than a form or a record (表 / 笔录).

Pure data. Which kinds are numbered is local practice: an agency may number its 笔录 and 表 too,
through ``settings.SANXIANG_DOCUMENT_KINDS = {"<code>": {"numbered": True, "word": "检"}}``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Kind:
    code: str
    title: str
    word: str  # the 字 of the 文号: 兴民宗{word}字〔2026〕第1号
    numbered: bool
    single: bool  # at most one per case (a second one is a conflict)
    decision: bool = False  # carries the public verification QR code
    letter: bool = True  # an outgoing document with the red 版头; False for 表 and 笔录


_DEFAULTS = (
    Kind("filing_approval", "立案审批表", "立", numbered=False, single=True, letter=False),
    Kind("inspection_record", "现场检查笔录", "检", numbered=False, single=False, letter=False),
    # 行政处罚法 第55条第2款: the person asked to come and answer (如实回答询问).
    Kind("inquiry_notice", "询问通知书", "询通", numbered=True, single=False),
    Kind("inquiry_record", "询问笔录", "询", numbered=False, single=False, letter=False),
    Kind("evidence_preservation", "先行登记保存证据通知书", "保", numbered=True, single=False),
    # 行政处罚法 第56条: what becomes of the goods registered, decided within 七日 (working days).
    Kind("preservation_decision", "先行登记保存物品处理决定书", "保处", True, single=False),
    Kind("seizure_decision", "查封扣押决定书", "封", numbered=True, single=False, decision=True),
    # 行政强制法 第18条第（七）项: every compulsory measure carried out has its 现场笔录.
    Kind("site_record", "现场笔录", "现", numbered=False, single=False, letter=False),
    Kind("penalty_notice", "行政处罚事先告知书", "告", numbered=True, single=True),
    Kind("hearing_notice", "听证告知书", "听告", numbered=True, single=True),
    # 行政处罚法 第64条第（二）项: the hearing's time and place, served 七日前 (cases/hearings.py).
    Kind("hearing_summons", "听证通知书", "听通", numbered=True, single=False),
    Kind("hearing_record", "听证笔录", "听", numbered=False, single=False, letter=False),
    # 行政处罚法 第45条: the party's 陈述、申辩 heard and written down (also entered on screen).
    Kind("statement_record", "陈述申辩笔录", "陈", numbered=False, single=False, letter=False),
    # 行政处罚法 第57条第2款: the heads' 集体讨论 of a 情节复杂 or 重大违法 case (review).
    Kind("collective_discussion", "集体讨论记录", "讨", numbered=False, single=False, letter=False),
    Kind("penalty_decision", "行政处罚决定书", "罚决", numbered=True, single=True, decision=True),
    Kind("no_penalty_decision", "不予行政处罚决定书", "不罚", True, single=True, decision=True),
    # 行政处罚法 第52条: a form of preset format with a number, handed over on the spot.
    Kind("on_the_spot_decision", "当场行政处罚决定书", "当罚", True, single=True, decision=True),
    Kind("address_confirmation", "送达地址确认书", "址", numbered=False, single=True, letter=False),
    Kind("delivery_receipt", "送达回证", "送", numbered=False, single=False, letter=False),
    # 行政强制法 第35条、第54条: the reminder before applying to court (again after a change).
    Kind("payment_reminder", "催告书", "催", numbered=True, single=False),
    # 行政强制法 第55条: the application to the people's court, once per case.
    Kind("enforcement_application", "强制执行申请书", "强执", numbered=True, single=True),
    # 行政处罚法 第27条: a case suspected of a crime handed to the judicial organ (cases/transfers).
    Kind("case_transfer", "案件移送书", "移", numbered=True, single=False),
    # 行政处罚法 第28条第1款: an inspection's finding ordered put right (责令改正或者限期改正).
    Kind("rectification_order", "责令整改通知书", "责改", numbered=True, single=False),
    Kind("closing_approval", "结案审批表", "结", numbered=False, single=True, letter=False),
    Kind("acceptance_notice", "受理通知书", "受", numbered=True, single=True),
    # 行政许可法 第32条: an application refused at the door, in writing with the seal and date.
    Kind("licence_rejection", "不予受理通知书", "不受", numbered=True, single=True),
    Kind("supplement_notice", "补正告知书", "补", numbered=True, single=True),
    Kind("licence_grant", "准予行政许可决定书", "许", numbered=True, single=True, decision=True),
    Kind("licence_refusal", "不予行政许可决定书", "不许", True, single=True, decision=True),
    # --- 延长许可期限, 查封、扣押 (h10b) ---
    # 行政许可法 第42条: the extension's reason told to the applicant (once per case).
    Kind("licence_extension_notice", "延长行政许可期限通知书", "许延", True, single=True),
    # 行政强制法 第24条第3款: the 清单, 一式二份, signed by the party and the agency.
    Kind("seizure_inventory", "查封扣押清单", "封单", numbered=False, single=False, letter=False),
    # 行政强制法 第25条: the extension decided once, in writing, with its reason.
    Kind("seizure_extension", "延长查封扣押期限决定书", "封延", True, single=True),
    # 行政强制法 第28条: the release, on one of its grounds (stops the 第25条 clock).
    Kind("seizure_release", "解除查封扣押决定书", "解封", True, single=True),
    # 行政强制法 第19条: a measure carried out on the spot reported to the head within 24 hours.
    Kind("on_spot_report", "当场实施行政强制措施报告", "当强", False, single=True, letter=False),
    # --- end h10b ---
)
DEFAULT_KINDS: dict[str, Kind] = {k.code: k for k in _DEFAULTS}
CHOICES = [(k.code, k.title) for k in _DEFAULTS]


def _configured(kind: Kind) -> Kind:
    override: dict[str, Any] = getattr(settings, "SANXIANG_DOCUMENT_KINDS", {}).get(kind.code, {})
    allowed = {"numbered", "word", "single"}
    return replace(kind, **{k: v for k, v in override.items() if k in allowed})


def all_kinds() -> list[Kind]:
    return [_configured(k) for k in _DEFAULTS]


def get_kind(code: str) -> Kind | None:
    """The kind by its code or by its Chinese title (procedure definitions may use either)."""
    for kind in _DEFAULTS:
        if code in (kind.code, kind.title):
            return _configured(kind)
    return None
