"""The transition engine's hooks.

Other apps plug in here from their ``AppConfig.ready()``: ``records`` registers a guard that
refuses a step without its required audio-video record, ``review`` one that refuses a major
decision without a passing legal review, and ``disclosure`` an after-transition hook that queues
a publication when a decision is made. ``cases`` runs them and imports none of those apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from .definitions import Definition, StageRole


@dataclass(frozen=True)
class GuardContext:
    case: Any  # cases.models.Case (procedures sits below cases and does not import it)
    definition: Definition
    source: str
    target: str
    actor: Any
    on: date | None = None  # the day the step is taken (a step may be recorded after the fact)

    def enters(self, *roles: StageRole) -> bool:
        """Whether the step enters a stage playing one of ``roles`` (e.g. the decision)."""
        return self.definition.has_role(self.target, *roles)

    def leaves(self, *roles: StageRole) -> bool:
        return self.definition.has_role(self.source, *roles)


Hook = Callable[[GuardContext], None]

_guards: list[Hook] = []
_after: list[Hook] = []


def register_guard(fn: Hook) -> Hook:
    """A guard raises ``DomainError`` to refuse a transition; it must not write."""
    if fn not in _guards:
        _guards.append(fn)
    return fn


def register_after_transition(fn: Hook) -> Hook:
    """Runs inside the transition's transaction after the stage changed."""
    if fn not in _after:
        _after.append(fn)
    return fn


def unregister(fn: Hook) -> None:
    """Remove a hook (tests that register temporary guards)."""
    if fn in _guards:
        _guards.remove(fn)
    if fn in _after:
        _after.remove(fn)


def run_guards(context: GuardContext) -> None:
    for guard in list(_guards):
        guard(context)


def run_after_transition(context: GuardContext) -> None:
    for hook in list(_after):
        hook(context)
