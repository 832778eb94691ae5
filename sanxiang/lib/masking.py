"""Mask personal data in enforcement decisions before they are published on the portal.

Rules: 《政府信息公开条例》(2019) 第十五条 (personal privacy is not disclosed) and DOMAIN.md,
"Disclosure (公示)" → "Mask": for natural persons the home address, phone and other contact
details, ID number and bank account, and the names of natural persons other than the party; for
organisations their bank accounts. An organisation's name and 统一社会信用代码, amounts, legal
articles, dates, 文号 and case numbers stay visible.

Policy (the staff preview and the portal both use :func:`mask_spans`, so they agree):

* ``resident_id`` — GB 11643 IDs: 18 characters with a valid check character, a known
  province code and a birth date in 1900–2099, or the old 15-digit form with a real date.
  Half- or full-width, contiguous or grouped by spaces/hyphens. First 3 and last 2 characters
  stay, every other digit becomes ``*`` (``210*************34``).
* ``bank_card`` — 12–19 digits passing the Luhn check whose first digit is 3, 4, 5, 6 or 9
  (ISO/IEC 7812 major industry identifiers of card issuers; this keeps ``2026…`` case numbers
  and ``1…`` phone-like numbers out), excluding digit-only 统一社会信用代码 (GB 32100 check);
  or 12–25 digits right after a label such as 账号/卡号/账户 (organisation accounts carry no
  Luhn digit). The last 4 digits stay.
* ``phone`` — mobiles ``1[3-9]`` + 9 digits, optionally ``86``/``0086`` (a prefix standing in
  its own group, as in ``+86 138…``, stays outside the span). First 3 and last 4 digits stay.
* ``landline`` — area code (010, 02x: 3 digits with an 8-digit number; 0[3-9]xx: 4 digits with
  7 or 8) written ``0427-2821234``, ``04272821234`` or ``(0427)2821234``, with an optional
  extension (``-8001``, ``转8001``). The area code and the last 2 digits stay; an extension is
  starred.
* ``email`` — the first character of the local part stays, the rest of it becomes ``*``; the
  domain stays.
* ``address`` — the value after a residence label (住址, 家庭住址, 住所, 户籍地, 居住地, 现住 …)
  up to the end of the clause (，。；, line end, closing bracket) or the next contact label
  (电话, 身份证 …). The label stays, the whole value becomes ``*``. 住所 is also used for an
  organisation's registered address; it is masked too, erring on the side of privacy.
* ``name`` — every occurrence of a name the caller passes, longest first, becomes surname + 某
  (张三 → 张某, 欧阳娜娜 → 欧阳某 for the 复姓 in ``COMPOUND_SURNAMES``). Names shorter than two
  characters, bare compound surnames, and names with digits, whitespace, ``*`` or 某 are ignored
  (they cannot be masked idempotently).

A number glued to a letter (``91210000MA…``, ``XLT-2026…``), written after a credit-code label,
or written as money (``人民币…``, ``…元``, ``….00``) is never masked. Full-width digits are
matched in place, so positions always refer to the original text. Stretches that are already
masked (four or more ``*`` with the digits our own masks keep) are left alone, which makes
``mask_text`` idempotent. Masked spans never overlap; when candidates collide the kind earlier
in ``_RANK`` wins, then the leftmost, then the longest.
"""

from __future__ import annotations

import calendar
import heapq
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Literal, cast

__all__ = ["COMPOUND_SURNAMES", "MaskKind", "MaskSpan", "mask_spans", "mask_text"]

MaskKind = Literal["resident_id", "phone", "landline", "bank_card", "email", "address", "name"]


@dataclass(frozen=True, slots=True)
class MaskSpan:
    """Replace ``text[start:end]`` by ``replacement``; ``kind`` says what was found there."""

    start: int
    end: int
    kind: MaskKind
    replacement: str


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
# Candidates: (rank, start, end, kind, replacement). "masked" claims an already masked stretch.
_Cand = tuple[int, int, int, str, str]
_RANK = {
    "address": 0,
    "email": 1,
    "masked": 2,
    "resident_id": 3,
    "bank_card": 4,
    "phone": 5,
    "landline": 6,
}

_DIGITS = "0123456789０１２３４５６７８９"
_XS = "XxＸｘ"
_STARS = "*＊"
_SEPS = " \u00a0\u3000-－\u2010\u2011\u2012\u2013\u2014\u2212"
_HYPHENS = "-－\u2010\u2011\u2012\u2013\u2014\u2212"
_FW_LETTERS = "".join(chr(c) for c in range(0xFF21, 0xFF3B)) + "".join(
    chr(c) for c in range(0xFF41, 0xFF5B)
)
_LETTERS = frozenset(string.ascii_letters + _FW_LETTERS)
_GLUE = _LETTERS | frozenset(_DIGITS)  # a number touching one of these is part of a code
_DIGIT_X = frozenset(_DIGITS + _XS)
_SEP_SET = frozenset(_SEPS)
_HALF = str.maketrans(
    {**{c: str(i) for i, c in enumerate(_DIGITS[10:])}, "Ｘ": "X", "ｘ": "X", "x": "X"}
)

_D = "[0-9０-９]"
_S = "[" + "".join(re.escape(c) for c in _SEPS) + "]"
# A digit run: at least 11 digits, single separators between them, an optional final X.
_RUN_RE = re.compile(f"(?:{_D}{_S}?){{10,}}{_D}[{_XS}]?")
_GROUP_RE = re.compile(f"[0-9０-９{_XS}]+")
_WS = "[ \t\u3000]*"
_CREDIT_LABEL_RE = re.compile(
    f"(?:统一社会信用代码|信用代码|注册号|组织机构代码){_WS}(?:[：:]|为)?{_WS}$"
)
_ACCOUNT_LABEL_RE = re.compile(f"(?:账号|帐号|卡号|账户|帐户|银行卡){_WS}(?:[：:]|为)?{_WS}$")
_MONEY_BEFORE_RE = re.compile(f"(?:人民币|[¥￥]|RMB){_WS}$")
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_EXTENSION_RE = re.compile(f"(?:[-－]|转|分机|[Ee][Xx][Tt]\\.?)[ \u3000]?({_D}{{1,6}})(?!{_D})")
_PAREN_LANDLINE_RE = re.compile(f"[(（]({_D}{{3,4}})[)）][ \u3000]?({_D}{{7,8}})(?!{_D})")

_AT_RE = re.compile("[@＠]")
_EMAIL_LOCAL = frozenset(string.ascii_letters + string.digits + "._%+-*")
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN_RE = re.compile(f"(?:{_LABEL}\\.){{1,8}}[A-Za-z]{{2,24}}(?![A-Za-z0-9-])")

_ADDRESS_LABELS = sorted(
    _words(
        "家庭住址 家庭地址 现住址 现住所 现居住地 户籍地址 户籍所在地 户籍地 户口所在地 经常居住地"
        " 居住地址 居住地 住址 住所地 住所"
    ),
    key=len,
    reverse=True,
)
_ADDRESS_RE = re.compile(
    "(?:(?:" + "|".join(_ADDRESS_LABELS) + f")(?:{_WS}[：:]{_WS}|{_WS}(?:位于|为|在|于){_WS}"
    f"|[ \t\u3000]+)|(?:现住|现居住|现居)(?![房宅宿址所地]){_WS}[：:]?{_WS})"
    "(?P<value>[^，。；,;\n\r\t)）】\\]、|]{1,200})"
)
_ADDRESS_STOP_RE = re.compile(
    "联系电话|联系方式|电话|手机|身份证|公民身份号码|证件号码|电子邮箱|邮箱|邮编|邮政编码"
    "|出生|性别|民族|职业|工作单位|统一社会信用代码|法定代表人|负责人"
)
_STAR_RE = re.compile("[*＊]+")
_NAME_FORBIDDEN_RE = re.compile(r"[\s0-9０-９*＊某@＠]")

_PROVINCES = frozenset(
    _words(
        "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54"
        " 61 62 63 64 65 71 81 82"
    )
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


# --- validators ---------------------------------------------------------------------------


def _plausible_date(year: int, month: int, day: int) -> bool:
    if not (1900 <= year <= 2099 and 1 <= month <= 12):
        return False
    return 1 <= day <= calendar.monthrange(year, month)[1]


def _is_resident_id(d: str) -> bool:
    """GB 11643-1999 (check MOD 11-2) for 18 characters; the 1900s date for the 15-digit form."""
    if d[:2] not in _PROVINCES:
        return False
    if len(d) == 18 and d[:17].isdigit():
        if not _plausible_date(int(d[6:10]), int(d[10:12]), int(d[12:14])):
            return False
        total = sum(int(ch) * w for ch, w in zip(d, _ID_WEIGHTS, strict=False))
        return _ID_CHECK[total % 11] == d[17]
    if len(d) == 15 and d.isdigit():
        return _plausible_date(1900 + int(d[6:8]), int(d[8:10]), int(d[10:12]))
    return False


def _is_credit_code_18(d: str) -> bool:
    """GB 32100-2015 check (weighted MOD 31) for an all-digit 统一社会信用代码."""
    if len(d) != 18:
        return False
    total = sum(int(ch) * w for ch, w in zip(d, _CREDIT_WEIGHTS, strict=False))
    return (31 - total % 31) % 31 == int(d[17])


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


def _classify(d: str, first_len: int, labelled: bool) -> tuple[str, int, int] | None:
    """(kind, digits kept at the head, digits kept at the tail) for a digit string, or None."""
    n = len(d)
    if n in (15, 18) and _is_resident_id(d):
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
        return ("phone", prefix + 3, 4) if first_len > prefix else None
    area = _landline_area(d)
    return ("landline", area, 2) if area else None


# --- digit runs ---------------------------------------------------------------------------


def _glued_before(text: str, s: int) -> bool:
    """The run starting at ``s`` continues a code, follows a credit-code label, or is money."""
    if s == 0:
        return False
    c = text[s - 1]
    if c in _GLUE or (c in _HYPHENS and s > 1 and text[s - 2] in _LETTERS):
        return True
    lo = max(0, s - 24)
    return bool(_CREDIT_LABEL_RE.search(text, lo, s) or _MONEY_BEFORE_RE.search(text, lo, s))


def _glued_after(text: str, e: int) -> bool:
    if e >= len(text):
        return False
    c = text[e]
    nxt = text[e + 1] if e + 1 < len(text) else ""
    if c in _GLUE or c in "元万亿" or (c in _HYPHENS and nxt in _LETTERS):
        return True
    return c in ".．" and nxt != "" and nxt in _DIGITS


def _star_digits(
    text: str, groups: list[tuple[int, int, str]], head: int, tail: int, end: int
) -> str:
    """Star the digits of ``groups`` except ``head`` leading and ``tail`` trailing ones.

    The kept head never uncovers two whole groups, nor does the kept tail, so what stays
    visible always touches a star or a starred group: ``_masked_claims`` relies on it.
    """
    start = groups[0][0]
    chars = list(text[start:end])
    sizes = [ge - gs for gs, ge, _ in groups]
    if len(sizes) > 1:
        head = min(head, sizes[0] + sizes[1] - 1)
        tail = min(tail, sizes[-1] + sizes[-2] - 1)
    total = sum(sizes)
    index = 0
    for gs, ge, _ in groups:
        for k in range(gs, ge):
            if head <= index < total - tail:
                chars[k - start] = STAR
            index += 1
    return "".join(chars)


def _with_extension(text: str, end: int, masked: str) -> tuple[int, str]:
    """Extend a landline over an extension (``-8001``, ``转8001``), starring its digits."""
    ext = _EXTENSION_RE.match(text, end)
    if ext is None:
        return end, masked
    return ext.end(), masked + text[end : ext.start(1)] + STAR * (ext.end() - ext.start(1))


def _run_candidates(text: str, s: int, e: int) -> Iterator[_Cand]:
    """Every group-aligned stretch of the digit run ``text[s:e]`` that is a number we mask."""
    groups = [
        (m.start(), m.end(), m.group().translate(_HALF)) for m in _GROUP_RE.finditer(text, s, e)
    ]
    first_ok = not _glued_before(text, s)
    last = len(groups) - 1 if _glued_after(text, e) else len(groups)
    labelled = first_ok and _ACCOUNT_LABEL_RE.search(text, max(0, s - 16), s) is not None
    for i in range(0 if first_ok else 1, last):
        digits = ""
        for j in range(i, last):
            digits += groups[j][2]
            if len(digits) > 25:
                break
            found = _classify(digits, len(groups[i][2]), labelled and i == 0)
            if found is None:
                continue
            kind, head, tail = found
            end = groups[j][1]
            masked = _star_digits(text, groups[i : j + 1], head, tail, end)
            if kind == "landline":
                end, masked = _with_extension(text, end, masked)
            yield (_RANK[kind], groups[i][0], end, kind, masked)


def _paren_landlines(text: str) -> Iterator[_Cand]:
    """``(0427)2821234`` and ``（010）12345678``: the brackets break the digit run."""
    for m in _PAREN_LANDLINE_RE.finditer(text):
        area, local = m.group(1).translate(_HALF), m.group(2).translate(_HALF)
        if _landline_area(area + local) != len(area):
            continue
        ls, le = m.span(2)
        masked = text[m.start() : ls] + STAR * (le - ls - 2) + text[le - 2 : le]
        end, masked = _with_extension(text, le, masked)
        yield (_RANK["landline"], m.start(), end, "landline", masked)


# --- e-mail, address, already masked ------------------------------------------------------


def _emails(text: str) -> Iterator[_Cand]:
    for m in _AT_RE.finditer(text):
        at = m.start()
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


def _addresses(text: str) -> Iterator[_Cand]:
    pos = 0
    while (m := _ADDRESS_RE.search(text, pos)) is not None:
        vs, ve = m.span("value")
        stop = _ADDRESS_STOP_RE.search(text, vs, ve)
        if stop is not None:
            ve = stop.start()
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
    """Claim stretches masked before (by us or by hand) so no detector re-masks their parts.

    One of our masks is a chain of star clusters joined by single separators, with at most 7
    visible digits before it (``0086138``) and 4 after it; a chain needs 4 stars in all.
    """
    chain: list[int] = []  # [start, end, stars]
    for m in _STAR_RE.finditer(text):
        a, b = m.span()
        s, e = _visible_reach(text, a, -1, 7), _visible_reach(text, b, 1, 4)
        if chain and (s <= chain[1] or (s == chain[1] + 1 and text[chain[1]] in _SEP_SET)):
            chain[1], chain[2] = max(chain[1], e), chain[2] + b - a
            continue
        if chain and chain[2] >= 4:
            yield (_RANK["masked"], chain[0], chain[1], "masked", text[chain[0] : chain[1]])
        chain = [s, e, b - a]
    if chain and chain[2] >= 4:
        yield (_RANK["masked"], chain[0], chain[1], "masked", text[chain[0] : chain[1]])


# --- names --------------------------------------------------------------------------------


def _surname(name: str) -> str:
    return name[:2] if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else name[0]


def _usable_names(names: Iterable[str]) -> tuple[str, ...]:
    """Clean caller names; a bare ``str`` counts as one name, not as its characters."""
    given: Iterable[str] = (names,) if isinstance(names, str) else names
    keep = set()
    for raw in given:
        name = raw.strip()
        if len(name) >= 2 and name not in COMPOUND_SURNAMES and not _NAME_FORBIDDEN_RE.search(name):
            keep.add(name)
    return tuple(sorted(keep, key=lambda n: (-len(n), n)))


@lru_cache(maxsize=256)
def _name_pattern(names: tuple[str, ...]) -> tuple[re.Pattern[str], Mapping[str, str]]:
    """One alternation, longest name first, so 张三丰 wins over 张三 at the same place."""
    pattern = re.compile("|".join(re.escape(n) for n in names))
    return pattern, {n: _surname(n) + "某" for n in names}


def _names(text: str, names: tuple[str, ...], taken: list[_Cand]) -> Iterator[_Cand]:
    """Name occurrences outside every span already taken (``taken`` sorted by start)."""
    pattern, replacement = _name_pattern(names)
    p, pos = 0, 0
    while (m := pattern.search(text, pos)) is not None:
        s, e = m.span()
        while p < len(taken) and taken[p][2] <= s:
            p += 1
        if p < len(taken) and taken[p][1] < e:
            pos = s + 1
            continue
        yield (len(_RANK), s, e, "name", replacement[m.group()])
        pos = e


# --- selection ----------------------------------------------------------------------------


def _select(candidates: list[_Cand]) -> list[_Cand]:
    """Non-overlapping candidates: by rank, then leftmost, then longest. Sorted by start."""
    candidates.sort(key=lambda c: (c[0], c[1], -c[2]))
    taken: list[_Cand] = []
    i = 0
    while i < len(candidates):
        rank = candidates[i][0]
        fresh: list[_Cand] = []
        p, last_end = 0, -1
        while i < len(candidates) and candidates[i][0] == rank:
            cand = candidates[i]
            i += 1
            if cand[1] < last_end:
                continue
            while p < len(taken) and taken[p][2] <= cand[1]:
                p += 1
            if p < len(taken) and taken[p][1] < cand[2]:
                continue
            fresh.append(cand)
            last_end = cand[2]
        taken = list(heapq.merge(taken, fresh, key=itemgetter(1)))
    return taken


def mask_spans(text: str, *, names: Iterable[str] = ()) -> list[MaskSpan]:
    """What :func:`mask_text` replaces, sorted by position, for the staff preview."""
    candidates: list[_Cand] = [*_addresses(text), *_emails(text), *_masked_claims(text)]
    for run in _RUN_RE.finditer(text):
        candidates.extend(_run_candidates(text, run.start(), run.end()))
    candidates.extend(_paren_landlines(text))
    taken = _select(candidates)
    usable = _usable_names(names)
    if usable:
        taken = list(heapq.merge(taken, _names(text, usable, taken), key=itemgetter(1)))
    return [
        MaskSpan(s, e, cast("MaskKind", kind), rep)
        for _, s, e, kind, rep in taken
        if kind != "masked" and text[s:e] != rep
    ]


def mask_text(text: str, *, names: Iterable[str] = ()) -> str:
    """``text`` with personal data masked for publication (policy in the module docstring)."""
    parts: list[str] = []
    pos = 0
    for span in mask_spans(text, names=names):
        parts.append(text[pos : span.start])
        parts.append(span.replacement)
        pos = span.end
    parts.append(text[pos:])
    return "".join(parts)
