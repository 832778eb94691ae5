"""The masked text of a publication: the rules of ``sanxiang.lib.masking`` for this case,
then the staff's recorded adjustments (``MaskOverride``) from the 保密审查.

The staff preview and the published text come from the same function, ``spans_for``, so
what staff saw highlighted is what is starred on the portal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sanxiang.cases.queries import other_people
from sanxiang.lib.masking import MINOR_MASK, MaskSpan, apply_spans, mask_spans

from .models import MaskAction, MaskOverride, Publication

# Why a span is masked, as the preview says it (DOMAIN.md "Mask"; 个人信息保护法 第28条).
WHY = {
    "resident_id": "公民身份号码",
    "phone": "自然人手机号码（全部隐去）",
    "landline": "自然人固定电话（全部隐去）",
    "bank_card": "银行账号",
    "email": "电子邮箱",
    "address": "住址",
    "contact": "微信/QQ等联系方式（全部隐去）",
    "plate": "机动车号牌",
    "birth_date": "出生日期",
    "ethnicity": "民族（敏感个人信息）",
    "religion": "宗教信仰（敏感个人信息）",
    "health": "健康状况（敏感个人信息）",
    "name": "本案自然人姓名",
    "added": "工作人员增加的遮盖",
}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    replacement: str
    why: str
    override_id: int | None = None  # the staff addition this span comes from

    @property
    def is_minor(self) -> bool:
        return self.kind == "name" and self.replacement == MINOR_MASK


def case_people(case: Any) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(names to mask, minors, strings to keep) for the text of ``case``'s decision."""
    parties = list(case.parties.all())
    names = [p.name for p in parties if p.kind == "natural"]
    # 法定代表人, 负责人 and a 个体工商户's 经营者 are natural persons, and so is everyone else
    # the case names: 委托代理人 and 证人/见证人 (cases.queries.other_people).
    names += [p.legal_representative for p in parties if p.legal_representative]
    names += [person.name for person in other_people(case)]
    minors = [p.name for p in parties if p.kind == "natural" and p.is_minor]
    # An organisation's name stays (DOMAIN.md), so do the agency's own address and phone.
    keep = [p.name for p in parties if p.kind != "natural"]
    agency = case.agency
    # The agency's payment account is printed on every 决定书 it serves (行政处罚法 第59条(四)).
    keep += [v for v in (agency.name, agency.address, agency.phone) if v]
    paying = getattr(agency, "payment_instructions", "").strip()
    keep += [paying.rstrip("。"), *(line.strip().rstrip("。") for line in paying.splitlines())]
    return _clean(names), _clean(minors), _clean(keep)


def _clean(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v and v.strip())


def _why(span: MaskSpan) -> str:
    if span.kind == "name" and span.replacement == MINOR_MASK:
        return "未成年人姓名（不得公开）"
    if span.kind == "name" and span.note:
        return f"{span.note}姓名（按称谓识别）"
    return WHY.get(span.kind, span.kind)


def _added(text: str, override: MaskOverride) -> Span:
    original = text[override.start : override.end]
    if override.as_name and len(original) >= 2:
        replacement = original[0] + "某"
    else:
        replacement = "".join(c if c.isspace() else "*" for c in original)
    return Span(
        override.start,
        override.end,
        "added",
        replacement,
        f"{WHY['added']}：{override.reason}",
        override.pk,
    )


# An address is known by its tail too: a 决定书's facts say "在兴隆台区某路8号" of a party whose
# address is "辽宁省盘锦市兴隆台区某路8号". Tails shorter than this say too little to match.
_MIN_ADDRESS_TAIL = 6
_ADDRESS_CUTS = ("省", "自治区", "市", "州", "盟", "县", "区", "旗")


def _address_forms(address: str) -> list[str]:
    """The address and its tails after each 省/市/区… (longest first)."""
    address = address.strip()
    forms = [address]
    for i, _ in enumerate(address):
        for cut in _ADDRESS_CUTS:
            if address.startswith(cut, i):
                tail = address[i + len(cut) :]
                if len(tail) >= _MIN_ADDRESS_TAIL:
                    forms.append(tail)
    return sorted({f for f in forms if len(f) >= _MIN_ADDRESS_TAIL}, key=len, reverse=True)


def known_details(text: str, case: Any) -> list[Span]:
    """Where ``text`` repeats what the case knows of a natural person (the ID number, phone or
    address of a natural-person party): masked wherever it occurs, whatever the rules of
    ``lib.masking`` recognise there (fail safe: a published 决定书's facts name places and
    numbers without labels). Sorted and disjoint."""
    wanted: list[tuple[str, str]] = []
    for p in case.parties.all():
        if p.kind == "individual_business":
            # The 经营者's ID number and phone are a person's; the business seat is published
            # with the business (DOMAIN.md keeps a business's name).
            wanted += [(p.id_number.strip(), "resident_id"), (p.phone.strip(), "phone")]
        if p.kind != "natural":
            continue
        wanted += [(p.id_number.strip(), "resident_id"), (p.phone.strip(), "phone")]
        wanted += [(form, "address") for form in _address_forms(p.address or "")]
    for person in other_people(case):
        wanted += [(person.id_number.strip(), "resident_id"), (person.phone.strip(), "phone")]
        wanted += [(form, "address") for form in _address_forms(person.address or "")]
    found: list[Span] = []
    for value, kind in sorted(wanted, key=lambda w: -len(w[0])):
        if len(value) < 4:
            continue
        at = text.find(value)
        while at != -1:
            end = at + len(value)
            if not any(at < s.end and s.start < end for s in found):
                stars = "".join(c if c.isspace() else "*" for c in value)
                found.append(Span(at, end, kind, stars, f"{WHY.get(kind, kind)}（本案当事人）"))
            at = text.find(value, end)
    return sorted(found, key=lambda s: s.start)


def spans_for(text: str, case: Any, overrides: Iterable[MaskOverride]) -> list[Span]:
    """The rules' spans, less the lifted ones, plus the added ones (an addition wins where it
    overlaps a rule's span), plus the case's known details where neither masks anything
    (``known_details``). Sorted and disjoint."""
    names, minors, keep = case_people(case)
    rules = mask_spans(text, names=names, minors=minors, keep=keep)
    lifted = set()
    added: list[Span] = []
    for o in overrides:
        if o.action == MaskAction.LIFT:
            lifted.add((o.start, o.end))
        elif o.end <= len(text):
            added.append(_added(text, o))
    spans: list[Span] = []
    for a in sorted(added, key=lambda s: (s.start, -s.end)):
        if not spans or a.start >= spans[-1].end:
            spans.append(a)
    for r in rules:
        if (r.start, r.end) in lifted:
            continue
        if any(r.start < a.end and a.start < r.end for a in spans if a.kind == "added"):
            continue
        spans.append(Span(r.start, r.end, r.kind, r.replacement, _why(r)))
    # Where the rules found nothing, what the case knows of its people is masked all the same.
    for k in known_details(text, case):
        if (k.start, k.end) in lifted:
            continue
        if any(k.start < a.end and a.start < k.end for a in spans):
            continue
        spans.append(k)
    return sorted(spans, key=lambda s: s.start)


def masked_text(text: str, spans: Iterable[Span]) -> str:
    return apply_spans(text, [MaskSpan(s.start, s.end, "name", s.replacement) for s in spans])


def spans_of(item: Publication) -> list[Span]:
    return spans_for(item.source_text, item.case, item.mask_overrides.all())


@dataclass(frozen=True)
class Preview:
    text: str
    spans: list[Span]
    document: Any = None  # the issued 决定书 the text comes from, if any
    pending: bool = False  # taken from the document, not yet stored (done at the next write)
    error: str = ""  # the document exists but cannot be shown as served


def preview_of(item: Publication) -> Preview:
    """What the staff preview shows: for a queued item, the text ``publish`` will publish —
    the issued 决定书's body once there is one (``services._refresh_source`` stores it at the
    next 保密审查 write or at publication)."""
    from sanxiang.lib.errors import DomainError

    from . import drafting

    if item.status != "queued":
        return Preview(item.source_text, spans_of(item))
    doc = drafting.decision_document(item.case)
    if doc is None:
        return Preview(item.source_text, spans_of(item))
    try:
        text = drafting.document_text(doc)
    except DomainError as refused:
        return Preview(item.source_text, spans_of(item), doc, error=refused.message)
    if text == item.source_text:
        return Preview(text, spans_of(item), doc)
    # Staff additions were made on the old text: shown once carried over (at the next write).
    return Preview(text, spans_for(text, item.case, ()), doc, pending=True)
