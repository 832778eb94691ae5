"""What a document says, independent of its format: the DOCX and the PDF renderer both draw the
same ``DocumentContent``, so the two files cannot say different things. Its canonical JSON is
hashed (``content_sha256``) and that hash, not a file hash, is printed in the verification QR
code: a PDF cannot contain its own SHA-256."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from sanxiang.lib.canonical import canonical_bytes


@dataclass(frozen=True)
class Para:
    text: str
    indent: bool = True  # first-line indent of two characters (GB/T 9704 body text)
    align: str = "justify"  # justify | left | right | center
    bold: bool = False


@dataclass(frozen=True)
class Row:
    """One row of a form: (label, value) pairs; one pair spans the full width."""

    cells: tuple[tuple[str, str], ...]
    tall: bool = False  # a free-text cell (案情、笔录内容) that needs room


@dataclass(frozen=True)
class Table:
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Image:
    """A picture in the text, after its label: a person's drawn signature on a 笔录.

    The PNG itself (base64) is part of the content, so the content hash covers the very image
    printed; ``note`` follows it (拒签 and the witness, the date)."""

    label: str
    png_base64: str
    alt: str
    note: str = ""
    height_mm: int = 12


Block = Para | Table | Image


@dataclass(frozen=True)
class DocumentContent:
    kind: str
    title: str
    agency_name: str
    number: str
    letter: bool
    recipient: str
    blocks: tuple[Block, ...]
    signature: tuple[str, ...]
    date_text: str
    notes: tuple[str, ...] = ()
    verification_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    # Printed at the foot of every page (a 笔录's "以上笔录我已看过" and the person's signature).
    page_footer: tuple[Block, ...] = ()

    def canonical(self) -> dict[str, object]:
        body = asdict(self)
        body.pop("verification_url")  # the URL carries the hash; it cannot be part of it
        if not self.page_footer:
            body.pop("page_footer")  # documents without one keep the hash they always had
        return body

    def sha256(self) -> str:
        return hashlib.sha256(canonical_bytes(self.canonical())).hexdigest()

    def plain_text(self) -> str:
        lines = [self.agency_name, self.title, self.number, self.recipient]
        for block in self.blocks:
            if isinstance(block, Para):
                lines.append(block.text)
            elif isinstance(block, Image):
                lines.append(f"{block.label}{block.alt}{block.note}")
            else:
                lines.extend(
                    f"{label}：{value}" for row in block.rows for label, value in row.cells
                )
        return "\n".join([*lines, *self.signature, self.date_text, *self.notes])


def chinese_date(d: date | None) -> str:
    """成文日期 in Arabic numerals, as GB/T 9704-2012 §7.3.5.3 prescribes."""
    return f"{d.year}年{d.month}月{d.day}日" if d else "    年  月  日"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL = ("", "拾", "佰", "仟")
_BIG = ("", "万", "亿", "兆")


def _four(n: int) -> str:
    out, zero = "", False
    for i in range(3, -1, -1):
        d = n // 10**i % 10
        if d == 0:
            zero = bool(out)
        else:
            out += ("零" if zero else "") + _DIGITS[d] + _SMALL[i]
            zero = False
    return out


def capital_yuan(amount: Decimal) -> str:
    """Money in capital numerals (大写金额) as printed on decisions: 伍仟元整, 壹佰元零伍分."""
    cents = int((amount * 100).quantize(Decimal(1)))
    whole, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    groups: list[str] = []
    n, i = whole, 0
    while n:
        g, n = n % 10000, n // 10000
        if g:
            # a group below 1000 under a higher one reads with a zero: 壹万零伍
            groups.insert(0, ("零" if n and g < 1000 else "") + _four(g) + _BIG[i])
        i += 1
    head = "".join(groups) + "元" if whole else ""
    if not jiao and not fen:
        return (head or "零元") + "整"
    tail = (_DIGITS[jiao] + "角" if jiao else ("零" if whole else "")) + (
        _DIGITS[fen] + "分" if fen else ""
    )
    return head + tail


def yuan(amount: Decimal) -> str:
    """人民币5,000.00元（大写：伍仟元整）."""
    return f"人民币{amount:,.2f}元（大写：{capital_yuan(amount)}）"
