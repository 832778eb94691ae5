"""Working days of the Chinese official calendar.

Built on ``chinese-calendar`` (State Council holiday notices, 2004 to the last year it knows) plus
an override table that an administrator fills in when a new year's notice is published. A date in
a year that neither source knows raises ``CalendarGap``: a legal deadline is never guessed.

The override source is installed by the Django side with ``set_override_loader``; this module
stays free of Django so the standalone tools can use it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar


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


def known_years() -> set[int]:
    """Years for which the calendar can answer (library or override table)."""
    lib_years = {y for y in range(2004, date.today().year + 3) if _library_knows(y)}  # noqa: DTZ011
    return lib_years | set(_overrides().years)


def is_working_day(d: date) -> bool:
    """True when ``d`` is a working day: weekdays that are not holidays, plus 调休 make-up days."""
    ov = _overrides()
    if d in ov.days:
        return ov.days[d]
    if d.year in ov.years:
        return d.weekday() < 5
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        raise CalendarGap(d.year) from None


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
