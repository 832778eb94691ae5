from __future__ import annotations

from decimal import Decimal

import pytest

from sanxiang.lib.money import MoneyError, late_payment_surcharge, parse_money


def test_surcharge_is_three_percent_a_day():
    assert late_payment_surcharge(Decimal("1000"), 1) == Decimal("30.00")
    assert late_payment_surcharge(Decimal("1000"), 10) == Decimal("300.00")


def test_surcharge_never_exceeds_the_fine():
    # 行政处罚法 第72条; 行政强制法 第45条
    assert late_payment_surcharge(Decimal("1000"), 34) == Decimal("1000.00")
    assert late_payment_surcharge(Decimal("1000"), 365) == Decimal("1000.00")


def test_no_surcharge_when_paid_in_time():
    assert late_payment_surcharge(Decimal("1000"), 0) == Decimal("0.00")
    assert late_payment_surcharge(Decimal("1000"), -3) == Decimal("0.00")


def test_surcharge_rounds_to_the_fen():
    assert late_payment_surcharge(Decimal("333.33"), 1) == Decimal("10.00")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3000", "3000.00"), ("1,500.5", "1500.50"), (" 200元 ", "200.00"), (Decimal("0.1"), "0.10")],
)
def test_money_is_parsed_exactly(raw, expected):
    assert parse_money(raw) == Decimal(expected)


@pytest.mark.parametrize(
    "raw", ["-1", "abc", "12.345", "1e3", "", "NaN", "Infinity", 1.5, "１００"]
)
def test_bad_money_is_refused(raw):
    with pytest.raises(MoneyError):
        parse_money(raw)
