from datetime import date, timedelta

import pytest

from sanxiang.lib import workdays
from sanxiang.lib.workdays import CalendarGap, Overrides, add_working_days, is_working_day


@pytest.fixture(autouse=True)
def no_override_table():
    workdays.set_override_loader(None)
    workdays.set_provisional_horizon(workdays.DEFAULT_PROVISIONAL_HORIZON)
    yield
    workdays.set_override_loader(None)
    workdays.set_provisional_horizon(workdays.DEFAULT_PROVISIONAL_HORIZON)


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


def test_a_year_beyond_the_provisional_horizon_raises_calendar_gap_naming_the_year():
    # The library knows 2026; four provisional years follow (2027-2030); 2031 is a gap.
    with pytest.raises(CalendarGap) as caught:
        is_working_day(date(2031, 3, 3))
    assert caught.value.year == 2031
    assert "2031年" in str(caught.value)


def test_counting_across_the_horizon_raises_calendar_gap():
    with pytest.raises(CalendarGap):
        add_working_days(date(2030, 12, 20), 20)


def test_the_four_years_after_the_last_known_notice_are_provisional():
    assert workdays.provisional_years() == {2027, 2028, 2029, 2030}
    assert workdays.is_provisional(date(2027, 1, 4))
    assert not workdays.is_provisional(date(2026, 12, 31))
    assert workdays.span_is_provisional(date(2026, 12, 28), date(2027, 1, 12))
    assert not workdays.span_is_provisional(date(2026, 3, 2), date(2026, 3, 30))


def test_the_provisional_horizon_is_configurable():
    workdays.set_provisional_horizon(1)
    assert workdays.provisional_years() == {2027}
    with pytest.raises(CalendarGap):
        is_working_day(date(2028, 3, 1))
    workdays.set_provisional_horizon(0)
    with pytest.raises(CalendarGap):
        is_working_day(date(2027, 3, 1))
    with pytest.raises(ValueError):
        workdays.set_provisional_horizon(-1)


def test_entering_a_notice_moves_the_horizon_and_ends_the_provisional_year():
    workdays.set_override_loader(lambda: Overrides(days={}, years=frozenset({2027})))
    assert workdays.provisional_years() == {2028, 2029, 2030, 2031}
    assert not workdays.is_provisional(date(2027, 6, 1))


def test_counting_into_2027_no_longer_blocks():
    # Tuesday 29 Dec 2026: 30, 31 Dec; 1 Jan 2027 is 元旦; 4-8, 11, 12 Jan.
    assert add_working_days(date(2026, 12, 29), 9) == date(2027, 1, 12)


# Dates of the lunar festivals and 清明 for 2027-2030, from the published almanac.
PROVISIONAL_HOLIDAYS = {
    2027: {"除夕": date(2027, 2, 5), "清明": date(2027, 4, 5), "端午": date(2027, 6, 9),
           "中秋": date(2027, 9, 15)},
    2028: {"除夕": date(2028, 1, 25), "清明": date(2028, 4, 4), "端午": date(2028, 5, 28),
           "中秋": date(2028, 10, 3)},
    2029: {"除夕": date(2029, 2, 12), "清明": date(2029, 4, 4), "端午": date(2029, 6, 16),
           "中秋": date(2029, 9, 22)},
    2030: {"除夕": date(2030, 2, 2), "清明": date(2030, 4, 5), "端午": date(2030, 6, 5),
           "中秋": date(2030, 9, 12)},
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(PROVISIONAL_HOLIDAYS))
def test_provisional_years_follow_the_statutory_holidays(year):
    known = PROVISIONAL_HOLIDAYS[year]
    chuxi = known["除夕"]
    expected = {
        date(year, 1, 1),
        *(chuxi + timedelta(days=o) for o in range(4)),  # 春节4天 from 除夕
        known["清明"],
        date(year, 5, 1),
        date(year, 5, 2),
        known["端午"],
        known["中秋"],
        date(year, 10, 1),
        date(year, 10, 2),
        date(year, 10, 3),
    }
    assert set(workdays.statutory_holidays(year)) == expected
    for day in expected:
        assert not is_working_day(day), day
    # No 调休 is invented: the day after the 春节 holidays is an ordinary day, weekends stay off.
    after = chuxi + timedelta(days=4)
    assert is_working_day(after) == (after.weekday() < 5)
    saturdays = [date(year, 3, d) for d in range(1, 32) if date(year, 3, d).weekday() == 5]
    assert not any(is_working_day(d) for d in saturdays)
    assert is_working_day(
        next(date(year, 3, d) for d in range(1, 8) if date(year, 3, d).weekday() == 0)
    )


def test_a_festival_on_a_shared_day_counts_once_and_names_both():
    assert workdays.statutory_holidays(2028)[date(2028, 10, 3)] == "中秋节、国庆节"
    assert len(workdays.statutory_holidays(2028)) == 12


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_statutory_rule_agrees_with_the_published_notices(year):
    # The State Council's notices for 2025 and 2026 (after the 2024 amendment) give every statutory
    # day off the rule computes, plus bridging days; so the rule is a subset of what they publish.
    for day, name in workdays.statutory_holidays(year).items():
        assert not is_working_day(day), (day, name)
    assert len(workdays.statutory_holidays(year)) == 13


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
