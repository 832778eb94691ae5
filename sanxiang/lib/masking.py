"""Mask personal data in enforcement decisions before they are published on the portal.

Rules: 《政府信息公开条例》(2019) 第十五条 (personal privacy is not disclosed) and DOMAIN.md,
"Disclosure (公示)" → "Mask": for natural persons the home address, phone and other contact
details, ID number and bank account, and the names of natural persons other than the party; for
organisations their bank accounts. An organisation's name and 统一社会信用代码, amounts, legal
articles, dates, 文号 and case numbers stay visible.

Policy (the staff preview uses :func:`mask_spans`, the portal :func:`mask_text`; they agree):

* ``resident_id`` — GB 11643-shaped: 18 characters with a known province code and a birth
  date in 1900–2099 whatever the check character (fails safe on a typo; an all-digit string
  passing the 统一社会信用代码 check stays), or the old 15-digit form with a real date; half- or
  full-width, contiguous or grouped by spaces/hyphens. First 3 and last 2 characters stay.
* ``bank_card`` — 12–19 digits passing the Luhn check whose first digit is 3, 4, 5, 6 or 9
  (ISO/IEC 7812 issuer industries; keeps ``2026…`` case numbers and ``1…`` numbers out), not
  an all-digit 统一社会信用代码 (GB 32100 check); or 12–25 digits after 账号/卡号/账户 …
  (organisation accounts have no Luhn digit). The last 4 digits stay.
* ``phone`` — ``1[3-9]`` + 9 digits, optionally after ``86``/``0086`` (a prefix in a group of
  its own, as in ``+86 138…``, stays outside the span). Removed entirely: every digit starred.
* ``landline`` — area code (010/02x + 8 digits, 0[3-9]xx + 7 or 8) as ``0427-2821234``,
  ``04272821234`` or ``(0427)2821234``, optionally with ``-8001``/``转8001``; and a local
  number of 7 or 8 digits without area code after a phone label (电话：2821234). Removed
  entirely, extension included. An agency's own numbers stay through ``keep``.
* ``email`` — the first character of the local part stays; the domain stays.
* ``address`` — the value after a residence label (住址, 家庭住址, 住所, 户籍地,
  居住地, 现住 …) or after 家住/暂住/住在, to the end of the clause (，。； line end,
  closing bracket) or the next contact label (电话, 身份证 …); the label stays.
  住所 is also an organisation's registered seat: it is masked too, erring on the
  side of privacy.
* ``contact``, ``plate``, ``birth_date``, ``ethnicity``, ``religion``, ``health``, and
  addresses without a label that carry a flat or village-group number: see
  ``sanxiang.lib.masking_rules``.
* ``name`` — each occurrence of a caller's name, longest first, becomes surname + 某 (张三 →
  张某, 欧阳娜娜 → 欧阳某 with the 复姓 in ``COMPOUND_SURNAMES``), except where it overlaps a
  label that decided about an address or a number. Names shorter than two characters, bare
  compound surnames, names with digits, whitespace, ``*``, ``@`` or 某, and names ending in a
  Latin letter are ignored: they cannot be masked idempotently. Names recognised by the role
  word before them (证人王五, 其妻子李四: ``masking_rules.role_names``) are added, and every
  occurrence of them is masked too. A minor (``minors``, or a role such as 未成年人/孩子, or
  ``（未成年）`` after the name) becomes 某某.
* ``keep`` — strings that stay visible wherever they appear (an agency's address and phone,
  an organisation's name, an officer's name): nothing overlapping one is masked.

Masked characters become ``*``; apart from names, a replacement is as long as what it replaces.
A number glued to a letter (``91210000MA…``, ``XLT-2026…``), after a credit-code label, or
written as money (``人民币…``, ``…元``, ``….00``) is never masked. Full-width digits are matched
in place, so positions refer to the original text. Stretches masked before (four or more ``*``
with the digits our masks keep) are left alone, which makes ``mask_text`` idempotent. Spans
never overlap: on a collision the kind earlier in ``_RANK`` wins, then the leftmost, then the
longest.
"""

from __future__ import annotations

import calendar
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Literal, cast

from . import masking_rules
from .identifiers import is_valid_credit_code, resident_id_check_char

__all__ = ["COMPOUND_SURNAMES", "MaskKind", "MaskSpan", "apply_spans", "mask_spans", "mask_text"]

MaskKind = Literal[
    "resident_id",
    "phone",
    "landline",
    "bank_card",
    "email",
    "address",
    "contact",
    "plate",
    "birth_date",
    "ethnicity",
    "religion",
    "health",
    "name",
]


@dataclass(frozen=True, slots=True)
class MaskSpan:
    """Replace ``text[start:end]`` by ``replacement``; ``kind`` says what was found there."""

    start: int
    end: int
    kind: MaskKind
    replacement: str
    note: str = ""  # for a name recognised by its role: the role (证人, 妻子 …)


def _words(s: str) -> list[str]:
    return s.split()


# Common two-character surnames (复姓); a longer name starting with one keeps both characters.
COMPOUND_SURNAMES = frozenset(
    _words(
        "欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 赫连 澹台 皇甫 宗政"
        " 濮阳 公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 司徒 鲜于 司空 闾丘 子车 亓官 司寇 巫马"
        " 公西 颛孙 壤驷 公良 漆雕 乐正 宰父 谷梁 拓跋 夹谷 轩辕 令狐 段干 百里 呼延 东郭 南门 羊舌"
        " 微生 梁丘 左丘 东门 西门 第五 南荣 完颜 叱干"
    )
)

STAR = "*"
# Candidates: (rank, start, end, kind, replacement); a lower rank wins a collision.
_Cand = tuple[int, int, int, str, str]
_RANK = {
    "address": 0,
    "email": 1,
    "resident_id": 2,
    "bank_card": 3,
    "phone": 4,
    "landline": 5,
    "contact": 6,
    "local_phone": 7,
    "plate": 8,
    "birth_date": 9,
    "ethnicity": 10,
    "religion": 11,
    "health": 12,
}
_NAME_RANK = len(_RANK)

_DIGITS = "0123456789０１２３４５６７８９"
_XS = "XxＸｘ"
_STARS = "*＊"
_SEPS = " \u00a0\u3000-－\u2010\u2011\u2012\u2013\u2014\u2212"
_HYPHENS = "-－\u2010\u2011\u2012\u2013\u2014\u2212"
_FW_LETTERS = "".join(map(chr, [*range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]))
_LETTERS = frozenset(string.ascii_letters + _FW_LETTERS)
_GLUE = _LETTERS | frozenset(_DIGITS)  # a number touching one of these is part of a code
_DIGIT_X = frozenset(_DIGITS + _XS)
# Decimals: a star counts as a digit, since a neighbour masked first was digits before.
_DIGITS_STARS = frozenset(_DIGITS + _STARS)
_SEP_SET = frozenset(_SEPS)
_HALF = str.maketrans(
    {**{c: str(i) for i, c in enumerate(_DIGITS[10:])}, "Ｘ": "X", "ｘ": "X", "x": "X"}
)

_D = "[0-9０-９]"
_S = "[" + "".join(re.escape(c) for c in _SEPS) + "]"
# A digit run: at least 11 digits, single separators between them, an optional final X.
# The look-behind sits after the first digit so the engine can skip ahead to digits.
_RUN_RE = re.compile(f"{_D}(?<!{_D}{_D})(?:{_S}?{_D}){{10,}}[{_XS}]?")
_GROUP_RE = re.compile(f"[0-9０-９{_XS}]+")
_MAX_GROUPS = 6  # 4-4-4-4-3 cards and 4-4-4-4-2 IDs have 5; more groups is a table of numbers
_WS = "[ \t\u3000]*"
# Labels right before a number: a credit code or money stays, an account is masked.
_LABELS_BEFORE = {
    **dict.fromkeys(
        _words(
            "统一社会信用代码 信用代码 注册号 组织机构代码 缴款书编号 缴款书号码 缴款书号 缴款码"
        ),
        "code",
    ),
    **dict.fromkeys(_words("身份证号码 身份证号 身份证 公民身份号码 身份号码 证件号码"), "id"),
    **dict.fromkeys(_words("账号 帐号 卡号 账户 帐户 银行卡"), "account"),
    **dict.fromkeys(_words("人民币 ¥ ￥ RMB"), "money"),
}
_LABELS_LONGEST_FIRST = sorted(_LABELS_BEFORE.items(), key=lambda kv: -len(kv[0]))
_LABEL_WORDS_RE = re.compile("|".join(re.escape(label) for label, _ in _LABELS_LONGEST_FIRST))
_LABEL_LAST = frozenset(label[-1] for label in _LABELS_BEFORE)
_BLANKS = " \t\u3000"
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_EXTENSION_RE = re.compile(f"(?:[-－]|转|分机|[Ee][Xx][Tt]\\.?)[ \u3000]?({_D}{{1,6}})(?!{_D})")
_PAREN_LANDLINE_RE = re.compile(f"[(（]({_D}{{3,4}})[)）][ \u3000]?({_D}{{7,8}})(?!{_D})")

# RFC 5321 local-part characters, plus full-width digits and "*" so that a number written
# against an address and an address masked before both belong to the local part.
_EMAIL_LOCAL = frozenset(string.ascii_letters + _DIGITS + "._%+-*")
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN_RE = re.compile(f"(?:{_LABEL}\\.){{1,8}}[A-Za-z]{{2,24}}(?![A-Za-z0-9-])")

_ADDRESS_LABELS = _words(  # longest first, so that 住所地 wins over 住所
    "户籍所在地 户口所在地 经常居住地 家庭住址 家庭地址 现居住地 户籍地址 居住地址"
    " 现住址 现住所 户籍地 居住地 住所地 住址 住所"
)
_ADDRESS_RE = re.compile(
    "(?:(?:" + "|".join(_ADDRESS_LABELS) + f")(?:{_WS}[：:]{_WS}|{_WS}(?:位于|为|在|于){_WS}"
    f"|[ \t\u3000]+)|(?:现住|现居住|现居|家住|暂住|住在)(?![房宅宿址所地]){_WS}[：:]?{_WS})"
    "(?P<value>[^，。；,;\n\r\t)）】\\]、|]{1,200})"
)
# Every address match starts with one of these; a plain alternation scans fast.
_ADDRESS_HINT_RE = re.compile("|".join([*_ADDRESS_LABELS, "现住", "现居", "家住", "暂住", "住在"]))
_ADDRESS_STOP_RE = re.compile(
    "联系电话|联系方式|电话|手机|身份证|公民身份号码|证件号码|电子邮箱|邮箱|邮编|邮政编码"
    "|出生|性别|民族|职业|工作单位|统一社会信用代码|法定代表人|负责人"
)
_ADDRESS_TAIL_RE = re.compile("[A-Za-z0-9０-９Ａ-Ｚａ-ｚ._%+@*＊-]*")
_STAR_RE = re.compile("[*＊][*＊]*")  # not "+": a leading repeat defeats the prefix scan
_NAME_FORBIDDEN_RE = re.compile(r"[\s0-9０-９*＊某@＠]")

_PROVINCES = frozenset(_words("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46"))
_PROVINCES |= frozenset(_words("50 51 52 53 54 61 62 63 64 65 71 81 82"))


# --- validators ---------------------------------------------------------------------------


def _plausible_date(year: int, month: int, day: int) -> bool:
    if not (1900 <= year <= 2099 and 1 <= month <= 12):
        return False
    return 1 <= day <= calendar.monthrange(year, month)[1]


def _is_resident_id(d: str) -> bool:
    """ID-shaped (GB 11643-1999): a province code and a real birth date; 18 characters with
    any check character (a mistyped number is still somebody's, so masking fails safe) unless
    it is an all-digit 统一社会信用代码, or the old 15-digit form with a 1900s date."""
    if d[:2] not in _PROVINCES:
        return False
    if len(d) == 18 and d[:17].isdigit():
        if not _plausible_date(int(d[6:10]), int(d[10:12]), int(d[12:14])):
            return False
        return resident_id_check_char(d[:17]) == d[17] or not _is_credit_code_18(d)
    if len(d) == 15 and d.isdigit():
        return _plausible_date(1900 + int(d[6:8]), int(d[8:10]), int(d[10:12]))
    return False


def _is_credit_code_18(d: str) -> bool:
    """GB 32100-2015 check (weighted MOD 31) for an all-digit 统一社会信用代码."""
    return len(d) == 18 and d.isdigit() and is_valid_credit_code(d)


def _luhn(d: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(d)):
        n = ord(ch) - 48
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _landline_area(d: str) -> int:
    """Length of the area code when ``d`` is a Chinese landline number, else 0."""
    if len(d) < 11 or d[0] != "0":
        return 0
    area = 3 if d[1] == "2" or d[1:3] == "10" else 4 if d[1] in "3456789" else 0
    local = d[area:]
    if area == 0 or local[0] not in "23456789":
        return 0
    return area if len(local) == 8 or (area == 4 and len(local) == 7) else 0


def _classify(
    d: str, first_len: int, labelled: bool, id_label: bool = False
) -> tuple[str, int, int] | None:
    """(kind, digits kept at the head, digits kept at the tail) for a digit string, or None."""
    n = len(d)
    if n in (15, 18) and (id_label or _is_resident_id(d)):
        return ("resident_id", 3, 2)
    if "X" in d:
        return None
    if labelled and 12 <= n <= 25:
        return ("bank_card", 0, 4)
    if 12 <= n <= 19 and d[0] in "34569" and _luhn(d) and not _is_credit_code_18(d):
        return ("bank_card", 0, 4)
    prefix = n - 11
    if (
        prefix in (0, 2, 4)
        and d[:prefix] == "0086"[4 - prefix :]
        and _MOBILE_RE.fullmatch(d, prefix)
    ):
        # A "+86 " standing alone is left out: the candidate without it covers the number.
        return ("phone", 0, 0) if first_len > prefix else None
    area = _landline_area(d)
    return ("landline", 0, 0) if area else None


# --- digit runs ---------------------------------------------------------------------------


def _label_before(text: str, s: int) -> tuple[str, int] | None:
    """Kind (code, account, money) and start of a label ending before ``s``, maybe with ：/为."""
    k = s
    while k > 0 and text[k - 1] in _BLANKS:
        k -= 1
    if k > 0 and text[k - 1] in "：:为":
        k -= 1
        while k > 0 and text[k - 1] in _BLANKS:
            k -= 1
    if k == 0 or text[k - 1] not in _LABEL_LAST:
        return None
    for label, what in _LABELS_LONGEST_FIRST:
        if text.startswith(label, k - len(label)):
            return what, k - len(label)
    return None


def _glued_before(text: str, s: int) -> bool:
    """The run starting at ``s`` continues a code or is the decimals of an amount."""
    if s == 0:
        return False
    c = text[s - 1]
    before = text[s - 2] if s > 1 else ""
    if c in _GLUE or (before != "" and c in _HYPHENS and before in _LETTERS):
        return True
    return before != "" and c in ".．" and before in _DIGITS_STARS  # decimals of an amount


def _glued_after(text: str, e: int) -> bool:
    if e >= len(text):
        return False
    c = text[e]
    nxt = text[e + 1] if e + 1 < len(text) else ""
    if c in _GLUE or c in "元万亿" or (c in _HYPHENS and nxt in _LETTERS):
        return True
    return c in ".．" and nxt != "" and nxt in _DIGITS_STARS


def _star_digits(text: str, groups: list[tuple[int, int, str]], head: int, tail: int) -> str:
    """Star the digits of ``groups`` except ``head`` leading and ``tail`` trailing ones.

    The kept head never uncovers two whole groups, nor does the kept tail, so what stays
    visible always touches a star or a starred group: ``_masked_claims`` relies on it.
    """
    if len(groups) == 1:
        gs, ge, _ = groups[0]
        return text[gs : gs + head] + STAR * (ge - gs - head - tail) + text[ge - tail : ge]
    start = groups[0][0]
    sizes = [ge - gs for gs, ge, _ in groups]
    head = min(head, sizes[0] + sizes[1] - 1)
    tail = min(tail, sizes[-1] + sizes[-2] - 1)
    stop = sum(sizes) - tail  # digits with an index in [head, stop) are starred
    parts: list[str] = []
    index, prev = 0, start
    for (gs, ge, _), size in zip(groups, sizes, strict=True):
        lo = min(max(head - index, 0), size)
        hi = min(max(stop - index, lo), size)
        parts += (text[prev:gs], text[gs : gs + lo], STAR * (hi - lo), text[gs + hi : ge])
        index, prev = index + size, ge
    return "".join(parts)


def _landlines(text: str, start: int, end: int, masked: str) -> Iterator[_Cand]:
    """A landline, and again with its extension (``-8001``, ``转8001``) starred.

    Both are offered: if the longer one collides (``转8@163.com``), the number still goes.
    """
    yield (_RANK["landline"], start, end, "landline", masked)
    ext = _EXTENSION_RE.match(text, end)
    if ext is not None:
        masked += text[end : ext.start(1)] + STAR * (ext.end() - ext.start(1))
        yield (_RANK["landline"], start, ext.end(), "landline", masked)


def _run_candidates(text: str, s: int, e: int, context: list[_Cand]) -> Iterator[_Cand]:
    """Every group-aligned stretch of the digit run ``text[s:e]`` that is a number we mask.

    A label that decides about the run goes to ``context``, where no name may be masked.
    """
    groups = [
        (m.start(), m.end(), m.group().translate(_HALF)) for m in _GROUP_RE.finditer(text, s, e)
    ]
    found_label = _label_before(text, s)
    label = None
    if found_label is not None:
        label = found_label[0]
        context.append((-1, found_label[1], s, "context", ""))
    first_ok = label not in ("code", "money") and not _glued_before(text, s)
    labelled = first_ok and label == "account"
    id_label = first_ok and label == "id"
    last = len(groups) - 1 if _glued_after(text, e) else len(groups)
    for i in range(0 if first_ok else 1, last):
        digits = ""
        for j in range(i, min(last, i + _MAX_GROUPS)):
            digits += groups[j][2]
            if len(digits) > 25:
                break
            if len(digits) < 11:
                continue
            found = _classify(digits, len(groups[i][2]), labelled and i == 0, id_label and i == 0)
            if found is None:
                continue
            kind, head, tail = found
            end = groups[j][1]
            masked = _star_digits(text, groups[i : j + 1], head, tail)
            if kind == "landline":
                yield from _landlines(text, groups[i][0], end, masked)
            else:
                yield (_RANK[kind], groups[i][0], end, kind, masked)


def _paren_landlines(text: str) -> Iterator[_Cand]:
    """``(0427)2821234`` and ``（010）12345678``: the brackets break the digit run."""
    for m in _PAREN_LANDLINE_RE.finditer(text):
        area, local = m.group(1).translate(_HALF), m.group(2).translate(_HALF)
        if _landline_area(area + local) != len(area):
            continue
        (as_, ae), (ls, le) = m.span(1), m.span(2)
        masked = text[m.start() : as_] + STAR * (ae - as_) + text[ae:ls] + STAR * (le - ls)
        yield from _landlines(text, m.start(), le, masked)


# --- e-mail, address, already masked ------------------------------------------------------


def _at_signs(text: str) -> Iterator[int]:
    for sign in "@＠":
        at = text.find(sign)
        while at != -1:
            yield at
            at = text.find(sign, at + 1)


def _emails(text: str) -> Iterator[_Cand]:
    for at in _at_signs(text):
        domain = _DOMAIN_RE.match(text, at + 1)
        if domain is None:
            continue
        start = at
        while start > 0 and at - start < 64 and text[start - 1] in _EMAIL_LOCAL:
            start -= 1
        if start > 0 and text[start - 1] in _EMAIL_LOCAL:
            continue  # a local part over 64 characters (RFC 5321 §4.5.3.1.1) is no address
        while start < at and text[start] == ".":
            start += 1
        if start == at:
            continue
        local = text[start:at]
        masked = local[0] + STAR * (len(local) - 1) if len(local) > 1 else STAR
        yield (_RANK["email"], start, domain.end(), "email", masked + text[at : domain.end()])


def _addresses(text: str, context: list[_Cand]) -> Iterator[_Cand]:
    """Address values; labels, separators and the label that ends a value go to ``context``."""
    pos = 0
    while (hint := _ADDRESS_HINT_RE.search(text, pos)) is not None:
        m = _ADDRESS_RE.match(text, hint.start())
        if m is None:
            context.append((-1, hint.start(), hint.end(), "context", ""))
            pos = hint.end()
            continue
        vs, ve = m.span("value")
        context.append((-1, m.start(), vs, "context", ""))
        stop = _ADDRESS_STOP_RE.search(text, vs, ve)
        if stop is not None:
            context.append((-1, stop.start(), stop.end(), "context", ""))
            ve = stop.start()
        elif (tail := _ADDRESS_TAIL_RE.match(text, ve)) is not None:
            ve = tail.end()  # a value cut by the length cap runs to the end of the word it cut
        while ve > vs and text[ve - 1].isspace():
            ve -= 1
        if ve > vs:
            yield (_RANK["address"], vs, ve, "address", STAR * (ve - vs))
        pos = max(ve, vs)


def _attached(text: str, at: int, step: int, limit: int) -> int:
    """How many digits (or X) touch position ``at`` going ``step``; ``limit + 1`` means more."""
    count = 0
    k = at if step > 0 else at - 1
    while 0 <= k < len(text) and text[k] in _DIGIT_X and count <= limit:
        count += 1
        k += step
    return count


def _visible_reach(text: str, at: int, step: int, limit: int) -> int:
    """Where the digits a mask of ours may leave visible end, going ``step`` from ``at``.

    That is up to ``limit`` digits touching ``at``, plus, after one separator, a neighbouring
    group if the two together stay within ``limit``.
    """
    n = _attached(text, at, step, limit)
    if n > limit:
        return at
    pos = at + step * n
    sep = pos if step > 0 else pos - 1
    if 0 <= sep < len(text) and text[sep] in _SEP_SET:
        nxt = sep + 1 if step > 0 else sep
        group = _attached(text, nxt, step, limit - n)
        if 0 < group <= limit - n:
            return nxt + step * group
    return pos


def _masked_claims(text: str) -> Iterator[_Cand]:
    """Stretches masked before (by us or by hand), sorted and disjoint: no number or name
    found in them is masked again, so masking twice changes nothing more.

    One of our masks is a chain of star clusters joined by single separators, with at most 7
    visible digits before it (``0086138``) and 4 after it; a chain needs 4 stars in all.
    """
    if "*" not in text and "＊" not in text:
        return
    chain: list[int] = []  # [start, end, stars]
    for m in _STAR_RE.finditer(text):
        a, b = m.span()
        s, e = _visible_reach(text, a, -1, 7), _visible_reach(text, b, 1, 4)
        if chain and (s <= chain[1] or (s == chain[1] + 1 and text[chain[1]] in _SEP_SET)):
            chain[1], chain[2] = max(chain[1], e), chain[2] + b - a
            continue
        if chain and chain[2] >= 4:
            yield (-1, chain[0], chain[1], "masked", "")
        chain = [s, e, b - a]
    if chain and chain[2] >= 4:
        yield (-1, chain[0], chain[1], "masked", "")


# --- names --------------------------------------------------------------------------------


def _surname(name: str) -> str:
    return name[:2] if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else name[0]


def _as_tuple(names: Iterable[str]) -> tuple[str, ...]:
    """A bare ``str`` counts as one name, not as its characters."""
    return (names,) if isinstance(names, str) else tuple(names)


def _usable_names(names: Iterable[str]) -> tuple[str, ...]:
    """Clean caller names, longest first."""
    keep = set()
    for raw in _as_tuple(names):
        name = raw.strip()
        if len(name) < 2 or name in COMPOUND_SURNAMES or name[-1] in _LETTERS:
            continue  # a Latin final letter would turn into 某 and unglue a following number
        if not _NAME_FORBIDDEN_RE.search(name):
            keep.add(name)
    return tuple(sorted(keep, key=lambda n: (-len(n), n)))


MINOR_MASK = "某某"  # a minor keeps not even the surname (未成年人保护法 第4条: 保护隐私)


@lru_cache(maxsize=256)
def _name_pattern(
    names: tuple[str, ...], minors: frozenset[str], notes: tuple[tuple[str, str], ...]
) -> tuple[re.Pattern[str], Mapping[str, tuple[str, str]]]:
    """One alternation, longest name first, so 张三丰 wins over 张三 at the same place."""
    pattern = re.compile("|".join(re.escape(n) for n in names))
    note = dict(notes)
    return pattern, {
        n: (MINOR_MASK if n in minors else _surname(n) + "某", note.get(n, "")) for n in names
    }


def _union(spans: list[_Cand]) -> list[_Cand]:
    """The stretches covered by ``spans``, sorted and disjoint."""
    out: list[_Cand] = []
    for span in sorted(spans, key=itemgetter(1)):
        if out and span[1] < out[-1][2]:
            out[-1] = (-1, out[-1][1], max(out[-1][2], span[2]), "context", "")
        else:
            out.append(span)
    return out


def _names(
    text: str,
    pattern: re.Pattern[str],
    replacement: Mapping[str, tuple[str, str]],
    taken: list[_Cand],
    blocked: list[_Cand],
) -> Iterator[tuple[int, int, int, str, str, str]]:
    """Name occurrences outside the spans taken and the stretches blocked (both sorted).

    Blocked are masked-before stretches and the labels that decided about an address or a
    number: turning part of a label into 某 would change that decision when masking again.
    """
    p = q = pos = 0
    while (m := pattern.search(text, pos)) is not None:
        s, e = m.span()
        p, hit = _walk(taken, p, s, e)
        if not hit:
            q, hit = _walk(blocked, q, s, e)
        name = m.group()
        if hit:
            # A shorter name may fit before the span in the way (王五 of 王五辽K·12345).
            name = next(
                (
                    n
                    for n in replacement
                    if n != name
                    and text.startswith(n, s)
                    and not _walk(taken, p, s, s + len(n))[1]
                    and not _walk(blocked, q, s, s + len(n))[1]
                ),
                "",
            )
            if not name:
                pos = s + 1
                continue
            e = s + len(name)
        masked, note = replacement[name]
        yield (_NAME_RANK, s, e, "name", masked, note)
        pos = e


# --- selection ----------------------------------------------------------------------------


def _walk(spans: list[_Cand], p: int, s: int, e: int) -> tuple[int, bool]:
    """Advance ``p`` in sorted disjoint ``spans`` to ``s``; whether ``[s, e)`` overlaps one."""
    while p < len(spans) and spans[p][2] <= s:
        p += 1
    return p, p < len(spans) and spans[p][1] < e


def _select(candidates: list[_Cand], claims: list[_Cand]) -> list[_Cand]:
    """Non-overlapping candidates: by rank, then leftmost, then longest. Sorted by start.

    Numbers never overlap a claimed stretch; addresses and e-mails may (a masked address is
    all stars, and an e-mail masked before must still hold on to its domain).
    """
    candidates.sort(key=lambda c: (c[0], c[1], -c[2]))
    taken: list[_Cand] = []
    i = 0
    while i < len(candidates):
        rank = candidates[i][0]
        fresh: list[_Cand] = []
        p = q = 0
        last_end = -1
        while i < len(candidates) and candidates[i][0] == rank:
            cand = candidates[i]
            i += 1
            if cand[1] < last_end:
                continue
            p, hit = _walk(taken, p, cand[1], cand[2])
            if not hit and rank >= _RANK["resident_id"]:
                q, hit = _walk(claims, q, cand[1], cand[2])
            if not hit:
                fresh.append(cand)
                last_end = cand[2]
        taken += fresh
        taken.sort(key=itemgetter(1))  # two sorted runs: timsort merges them in linear time
    return taken


def _kept(text: str, keep: Iterable[str]) -> list[_Cand]:
    """Occurrences of the strings that must stay visible (an agency's phone, an organisation's
    name, an officer's name), sorted and disjoint."""
    words = sorted({k for k in _as_tuple(keep) if k.strip()}, key=lambda k: (-len(k), k))
    if not words:
        return []
    pattern = re.compile("|".join(re.escape(k) for k in words))
    return _union([(-1, m.start(), m.end(), "keep", "") for m in pattern.finditer(text)])


def _outside(spans: list[_Cand], kept: list[_Cand]) -> list[_Cand]:
    if not kept:
        return spans
    out, p = [], 0
    for span in sorted(spans, key=itemgetter(1)):
        p, hit = _walk(kept, p, span[1], span[2])
        if not hit:
            out.append(span)
    return out


def mask_spans(
    text: str,
    *,
    names: Iterable[str] = (),
    minors: Iterable[str] = (),
    keep: Iterable[str] = (),
) -> list[MaskSpan]:
    """What :func:`mask_text` replaces, for the staff preview.

    ``names`` are natural persons known to the case (surname + 某), ``minors`` those who are
    minors (某某, also when recognised by role), ``keep`` strings that stay visible wherever
    they appear. The spans are sorted, never overlap, and each changes its text.
    """
    context: list[_Cand] = []
    candidates: list[_Cand] = [*_addresses(text, context), *_emails(text)]
    candidates.extend(masking_rules.unit_addresses(text, _RANK["address"]))
    for run in _RUN_RE.finditer(text):
        candidates.extend(_run_candidates(text, run.start(), run.end(), context))
    candidates.extend(_paren_landlines(text))
    rank = {**_RANK, "local_phone": _RANK["local_phone"]}
    attributes = [
        (c[0], c[1], c[2], "landline" if c[3] == "local_phone" else c[3], c[4])
        for c in masking_rules.attribute_candidates(text, rank)
    ]
    # A value never swallows a label that decides about a number (民族：统一社会信用代码…),
    # whether or not a number follows it now (masking again must decide the same).
    labels = [(-1, m.start(), m.end(), "context", "") for m in _LABEL_WORDS_RE.finditer(text)]
    candidates.extend(_outside(attributes, _union([*context, *labels])))
    claims = list(_masked_claims(text))
    kept = _kept(text, keep)
    taken = _select(_outside(candidates, kept), claims)
    minor_set = set(_usable_names(minors))
    notes: dict[str, str] = {}
    recognised: list[str] = []
    starts = frozenset(c[1] for c in [*taken, *context, *labels, *claims, *kept])
    for name, role, minor in masking_rules.role_names(text, starts):
        notes.setdefault(name, role)
        recognised.append(name)
        if minor:
            minor_set.add(name)
    usable = _usable_names([*_as_tuple(names), *minor_set, *recognised])
    spans = [(*c, "") for c in taken]
    if usable:
        blocked = _union(claims + context + labels + kept)
        pattern, replacement = _name_pattern(
            usable, frozenset(minor_set), tuple(sorted(notes.items()))
        )
        spans += list(_names(text, pattern, replacement, taken, blocked))
        spans.sort(key=itemgetter(1))
    return [
        MaskSpan(s, e, cast("MaskKind", kind), rep, note)
        for _, s, e, kind, rep, note in spans
        if text[s:e] != rep
    ]


def mask_text(
    text: str,
    *,
    names: Iterable[str] = (),
    minors: Iterable[str] = (),
    keep: Iterable[str] = (),
) -> str:
    """``text`` with personal data masked for publication (policy in the module docstring)."""
    return apply_spans(text, mask_spans(text, names=names, minors=minors, keep=keep))


def apply_spans(text: str, spans: Iterable[MaskSpan]) -> str:
    """``text`` with each of the sorted, disjoint ``spans`` replaced."""
    parts: list[str] = []
    pos = 0
    for span in spans:
        parts.append(text[pos : span.start])
        parts.append(span.replacement)
        pos = span.end
    parts.append(text[pos:])
    return "".join(parts)
