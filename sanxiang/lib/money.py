"""Money in yuan: exact Decimals with two places, never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
# 行政处罚法 第72条: 3% of the fine for each day late; 行政强制法 第45条: never more than the fine.
SURCHARGE_RATE = Decimal("0.03")


class MoneyError(ValueError):
    """A text that is not an amount of money; the message is Chinese, for people."""


def parse_money(raw: object) -> Decimal:
    """Parse a yuan amount: digits with at most two decimals, not negative.

    Accepts ``Decimal``, ``int`` and strings such as ``"1,500.50"`` or ``"3000"``; refuses floats
    (they are not exact), negative numbers, text and more than two decimal places.
    """
    if isinstance(raw, bool | float):
        raise MoneyError("金额必须以精确的十进制数填写。")
    if isinstance(raw, Decimal | int):
        value = Decimal(raw)
    else:
        text = str(raw).strip().replace(",", "").replace("，", "")
        if text.endswith("元"):
            text = text[:-1].strip()
        if not text or not all(ch.isascii() and (ch.isdigit() or ch in ".-+") for ch in text):
            raise MoneyError(f"“{raw}”不是有效的金额。")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"“{raw}”不是有效的金额。") from None
    if not value.is_finite():
        raise MoneyError(f"“{raw}”不是有效的金额。")
    if value < 0:
        raise MoneyError("金额不能为负数。")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and value != value.quantize(CENT):
        raise MoneyError("金额最多保留两位小数（分）。")
    return value.quantize(CENT)


def late_payment_surcharge(fine: Decimal, days_late: int) -> Decimal:
    """加处罚款: 3% of the fine per day late, capped at the fine itself."""
    if days_late <= 0:
        return Decimal("0.00")
    fine = parse_money(fine)
    surcharge = (fine * SURCHARGE_RATE * days_late).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(surcharge, fine)


def format_yuan(value: Decimal | None) -> str:
    """¥-free display used in Chinese documents: 150,000.00 元."""
    if value is None:
        return ""
    return f"{value:,.2f} 元"
