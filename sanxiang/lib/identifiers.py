"""Check digits of Chinese identifiers.

- Resident identity number, GB 11643-1999: 17 digits + check character (ISO 7064 MOD 11-2), and
  the old 15-digit form (6-digit area, YYMMDD birth date in the 1900s, 3-digit sequence).
- Unified social credit code, GB 32100-2015: 18 characters from a 31-character alphabet (no I, O,
  Z, S, V), check character by weighted MOD 31.
"""

from __future__ import annotations

from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _valid_birth_date(year: int, month: int, day: int, on: date | None) -> bool:
    """A real calendar date from 1900 on and, when ``on`` is given, not after ``on``."""
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born and (on is None or born <= on)


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character for 17 leading digits."""
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_valid_resident_id(s: str, *, on: date | None = None) -> bool:
    """True for a well-formed 18-digit ID with a correct check character, or a 15-digit old ID.

    The birth date must be a real date from 1900 on; with ``on`` (e.g. the filing day) a person
    born after that day is refused too. ``lib`` reads no clock, so the caller names the day.
    """
    if len(s) == 18:
        head, check = s[:17], s[17].upper()
        if not head.isdigit() or not head.isascii():
            return False
        if not _valid_birth_date(int(head[6:10]), int(head[10:12]), int(head[12:14]), on):
            return False
        return resident_id_check_char(head) == check
    if len(s) == 15:
        if not s.isdigit() or not s.isascii():
            return False
        return _valid_birth_date(1900 + int(s[6:8]), int(s[8:10]), int(s[10:12]), on)
    return False


def resident_id_birth_date(s: str) -> date:
    """Birth date encoded in a valid resident ID (used to flag minors)."""
    if len(s) == 18:
        return date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    return date(1900 + int(s[6:8]), int(s[8:10]), int(s[10:12]))


def credit_code_check_char(first17: str) -> str:
    total = sum(
        _CREDIT_ALPHABET.index(ch) * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(s: str) -> bool:
    """True for an 18-character unified social credit code with a correct check character."""
    if len(s) != 18 or any(ch not in _CREDIT_ALPHABET for ch in s):
        return False
    if not s[2:8].isdigit():  # 登记管理机关行政区划码
        return False
    return credit_code_check_char(s[:17]) == s[17]
