"""The event-type registry: every kind of ledger entry, declared by the app that writes it.

An app declares its types from its ``AppConfig.ready`` with ``register(EventType(...), ...)``;
``services.append`` refuses a code nobody declared (``event_type_unregistered``), so a typo or
an undeclared write cannot slip into the log. A code that was renamed stays readable: declare
the old code in ``aliases`` of its successor, and ``lookup`` resolves it (old entries keep
their bytes, the log is never rewritten), while ``append`` accepts only the current code.

``timeline`` marks the entries shown on a case's timeline (``case_id`` set); ``schema`` is the
payload's version, raised when a payload's meaning changes, so readers can tell old from new.
The ledger knows no domain: the codes and labels live in the apps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanxiang.lib.errors import DomainError

REFUSAL_CODE = "event_type_unregistered"


@dataclass(frozen=True)
class EventType:
    code: str
    label: str  # Chinese, shown to people
    timeline: bool = False
    schema: int = 1
    aliases: tuple[str, ...] = field(default_factory=tuple)


_TYPES: dict[str, EventType] = {}
_ALIASES: dict[str, str] = {}


def register(*types: EventType) -> None:
    """Declare event types; declaring the same definition twice is harmless, a clash is not."""
    for event_type in types:
        for code in (event_type.code, *event_type.aliases):
            known = _TYPES.get(code)
            if known is not None and known != event_type:
                raise ValueError(f"event type {code!r} is declared twice, differently")
            owner = _ALIASES.get(code)
            if owner is not None and owner != event_type.code:
                raise ValueError(f"event code {code!r} is already an alias of {owner!r}")
        _TYPES[event_type.code] = event_type
        for alias in event_type.aliases:
            _ALIASES[alias] = event_type.code


def lookup(code: str) -> EventType | None:
    """The type of a stored entry's code, following an alias to its current code."""
    return _TYPES.get(code) or _TYPES.get(_ALIASES.get(code, ""))


def require(code: str) -> EventType:
    """The type ``append`` may write: a current, declared code (not an alias)."""
    event_type = _TYPES.get(code)
    if event_type is None:
        current = _ALIASES.get(code)
        hint = f"（已更名为 {current}）" if current else ""
        raise DomainError(REFUSAL_CODE, f"账本事件类型“{code}”未登记{hint}，不能写入账本。")
    return event_type


def label_of(code: str) -> str:
    event_type = lookup(code)
    return event_type.label if event_type else code


def codes_with(*, timeline: bool | None = None) -> list[str]:
    """Current codes and their aliases (stored entries may carry either), optionally filtered."""
    chosen = [t for t in _TYPES.values() if timeline is None or t.timeline == timeline]
    return sorted({c for t in chosen for c in (t.code, *t.aliases)})


def codes_of(*codes: str) -> list[str]:
    """The stored codes that mean ``codes``: each current code and its aliases."""
    types = [_TYPES[c] for c in codes if c in _TYPES]
    return sorted({c for t in types for c in (t.code, *t.aliases)})


def all_types() -> list[EventType]:
    return sorted(_TYPES.values(), key=lambda t: t.code)
