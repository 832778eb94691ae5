from datetime import date

import pytest

from sanxiang.lib import workdays
from sanxiang.lib.workdays import CalendarGap, Overrides, add_working_days, is_working_day


@pytest.fixture(autouse=True)
def no_override_table():
    workdays.set_override_loader(None)
    yield
    workdays.set_override_loader(None)


def test_the_2025_spring_festival_holidays_are_not_working_days():
    # 国办发明电〔2024〕12号: 1月28日至2月4日放假调休，1月26日（周日）、2月8日（周六）上班
    for day in range(28, 32):
        assert not is_working_day(date(2025, 1, day))
    for day in range(1, 5):
        assert not is_working_day(date(2025, 2, day))


def test_the_2025_spring_festival_make_up_days_are_working_days():
    assert is_working_day(date(2025, 1, 26))
    assert is_working_day(date(2025, 2, 8))


def test_the_2025_national_day_holidays_and_make_up_days():
    # 10月1日至8日放假调休，9月28日（周日）、10月11日（周六）上班
    assert all(not is_working_day(date(2025, 10, d)) for d in range(1, 9))
    assert is_working_day(date(2025, 9, 28))
    assert is_working_day(date(2025, 10, 11))


def test_the_2026_spring_festival_holidays_and_make_up_days():
    # 2026年春节：2月15日至23日放假调休，2月14日（周六）、2月28日（周六）上班
    assert all(not is_working_day(date(2026, 2, d)) for d in range(15, 24))
    assert is_working_day(date(2026, 2, 14))
    assert is_working_day(date(2026, 2, 28))


def test_the_2026_national_day_holidays():
    # 10月1日至7日放假调休，9月20日（周日）、10月10日（周六）上班
    assert all(not is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert is_working_day(date(2026, 9, 20))
    assert is_working_day(date(2026, 10, 10))


def test_seven_working_days_after_a_decision_skip_the_spring_festival():
    # Decided Friday 13 Feb 2026: 14 Feb (make-up) is day 1, then the holiday, 24-27 Feb, 28 Feb.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 13), 6) == date(2026, 2, 28)
    assert add_working_days(date(2026, 2, 13), 7) == date(2026, 3, 2)


def test_the_start_day_is_not_counted_and_zero_days_is_the_start():
    assert add_working_days(date(2026, 3, 2), 0) == date(2026, 3, 2)
    assert add_working_days(date(2026, 3, 2), 1) == date(2026, 3, 3)


def test_a_year_the_calendar_does_not_know_raises_calendar_gap_naming_the_year():
    with pytest.raises(CalendarGap) as caught:
        is_working_day(date(2027, 3, 1))
    assert caught.value.year == 2027
    assert "2027年" in str(caught.value)


def test_counting_across_into_an_unknown_year_raises_calendar_gap():
    with pytest.raises(CalendarGap):
        add_working_days(date(2026, 12, 28), 10)


def test_an_override_table_teaches_a_new_year():
    workdays.set_override_loader(
        lambda: Overrides(
            days={date(2027, 1, 1): False, date(2027, 2, 6): True}, years=frozenset({2027})
        )
    )
    assert not is_working_day(date(2027, 1, 1))
    assert is_working_day(date(2027, 2, 6))  # a Saturday made a working day
    assert is_working_day(date(2027, 1, 4))  # an ordinary Monday
    assert not is_working_day(date(2027, 1, 9))  # an ordinary Saturday


def test_an_override_wins_over_the_library():
    workdays.set_override_loader(lambda: Overrides(days={date(2026, 3, 2): False}))
    assert not is_working_day(date(2026, 3, 2))


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1)
