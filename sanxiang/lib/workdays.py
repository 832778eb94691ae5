"""Working days of the Chinese official calendar.

Built on ``chinese-calendar`` (State Council holiday notices, 2004 to the last year it knows) plus
an override table that an administrator fills in when a new year's notice is published.

A year whose notice is not yet known is *provisional* (暂定) for a configurable horizon after
the last known notice year (four years unless ``set_provisional_horizon`` says otherwise): its
holidays are the statutory ones of 《全国年节及纪念日放假办法》 (as amended by 国务院令第795号,
2024) on top of weekends, without the 调休 that only the yearly notice fixes. Callers that show
a date ask ``is_provisional`` and mark it 暂定; when the notice is entered the override table
wins and the deadlines are recomputed. A date beyond the horizon raises ``CalendarGap``: past it
a deadline is never guessed.

The override source is installed by the Django side with ``set_override_loader``; this module
stays free of Django so the standalone tools can use it.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

import chinese_calendar
from lunardate import LunarDate


class CalendarGap(Exception):
    """The calendar does not know whether days of ``year`` are working days."""

    def __init__(self, year: int) -> None:
        super().__init__(
            f"工作日历缺少{year}年的法定节假日安排，请管理员先录入该年度的节假日与调休。"
        )
        self.year = year


@dataclass(frozen=True)
class Overrides:
    """Days whose status an administrator fixed, and years the table fully covers."""

    days: Mapping[date, bool] = field(default_factory=dict)
    years: frozenset[int] = frozenset()


OverrideLoader = Callable[[], Overrides]

_lock = threading.Lock()
_loader: OverrideLoader | None = None
_cached: Overrides = Overrides()
_loaded_at = float("-inf")
# Another process may edit the table; re-read it at most this often.
_TTL_SECONDS = 30.0
# DESIGN.md: provisional years reach this many years past the last year whose notice is known.
DEFAULT_PROVISIONAL_HORIZON = 4
_horizon = DEFAULT_PROVISIONAL_HORIZON
# lunardate's tables end with 2099; beyond that nothing is computed.
_LUNAR_LAST_YEAR = 2099


def set_provisional_horizon(years: int) -> None:
    """How many years after the last known notice year are computed provisionally (0: none)."""
    global _horizon
    if years < 0:
        raise ValueError("the provisional horizon must not be negative")
    _horizon = years


def set_override_loader(loader: OverrideLoader | None) -> None:
    """Install the function that reads the override table (the Django app does this)."""
    global _loader
    with _lock:
        _loader = loader
    invalidate()


def invalidate() -> None:
    """Forget the cached overrides (call after editing the table)."""
    global _loaded_at
    with _lock:
        _loaded_at = float("-inf")


def _overrides() -> Overrides:
    global _cached, _loaded_at
    now = time.monotonic()
    if now - _loaded_at < _TTL_SECONDS:
        return _cached
    with _lock:
        loader = _loader
    fresh = loader() if loader else Overrides()
    with _lock:
        _cached, _loaded_at = fresh, now
    return fresh


def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@functools.cache
def _library_years() -> frozenset[int]:
    # The library's data is fixed for the life of the process: probe it once.
    return frozenset(y for y in range(2004, 2100) if _library_knows(y))


def known_years() -> set[int]:
    """Years whose State Council notice is known (library or override table)."""
    return set(_library_years()) | set(_overrides().years)


def provisional_years() -> frozenset[int]:
    """Years computed from the statutory holidays alone, marked 暂定 wherever they are shown."""
    return _provisional_years(_overrides().years, _horizon)


@functools.lru_cache(maxsize=8)
def _provisional_years(override_years: frozenset[int], horizon: int) -> frozenset[int]:
    known = _library_years() | override_years
    if not known:
        return frozenset()
    last = max(known)
    first = min(known)
    top = min(last + horizon, _LUNAR_LAST_YEAR)
    return frozenset(y for y in range(first, top + 1) if y not in known)


def is_provisional(d: date) -> bool:
    """True when ``d`` lies in a year without a known notice that is computed provisionally."""
    return d.year in provisional_years()


def span_is_provisional(start: date, end: date) -> bool:
    """True when counting from ``start`` to ``end`` crosses a provisional year."""
    low, high = min(start, end), max(start, end)
    return any(y in provisional_years() for y in range(low.year, high.year + 1))


def statutory_holidays(year: int) -> Mapping[date, str]:
    """The days off 《全国年节及纪念日放假办法》 第2条 (2024年修订) gives every citizen in ``year``.

    元旦1天、春节4天（农历除夕、正月初一至初三）、清明节1天、劳动节2天（5月1日、2日）、
    端午节1天（农历五月初五）、中秋节1天（农历八月十五）、国庆节3天（10月1日至3日）.
    清明 is the day of the solar term. Where two festivals fall on one day it counts once: the
    provisional calendar never invents the extra day the yearly notice may add.
    """
    new_year_lunar = LunarDate(year, 1, 1).to_solar_date()
    chuxi = new_year_lunar - timedelta(days=1)
    qingming = next(
        day
        for day, name in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
        if name == "清明"
    )
    days: dict[date, str] = {}

    def off(day: date, name: str) -> None:
        days[day] = f"{days[day]}、{name}" if day in days else name

    off(date(year, 1, 1), "元旦")
    # 正月初一 falls between 21 January and 20 February, so all four days lie in ``year``.
    for offset in range(4):
        off(chuxi + timedelta(days=offset), "春节")
    off(qingming, "清明节")
    off(date(year, 5, 1), "劳动节")
    off(date(year, 5, 2), "劳动节")
    off(LunarDate(year, 5, 5).to_solar_date(), "端午节")
    off(LunarDate(year, 8, 15).to_solar_date(), "中秋节")
    for day in (1, 2, 3):
        off(date(year, 10, day), "国庆节")
    return MappingProxyType(dict(sorted(days.items())))


_statutory_holidays_cached = functools.cache(statutory_holidays)


def _provisional_is_working(d: date) -> bool:
    return d not in _statutory_holidays_cached(d.year) and d.weekday() < 5


def is_working_day(d: date) -> bool:
    """True when ``d`` is a working day: weekdays that are not holidays, plus 调休 make-up days."""
    ov = _overrides()
    if d in ov.days:
        return ov.days[d]
    if d.year in ov.years:
        return d.weekday() < 5
    if d.year in _library_years():
        return bool(chinese_calendar.is_workday(d))
    if d.year in provisional_years():
        return _provisional_is_working(d)
    raise CalendarGap(d.year)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted).

    ``n == 0`` returns ``start``. Raises ``CalendarGap`` when the count crosses an unknown year.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day, remaining = start, n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative when ``end`` is before ``start``."""
    if end < start:
        return -working_days_between(end, start)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
