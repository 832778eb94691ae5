"""待办 (the inbox): what is waiting for one person, gathered from every app.

The workbench imports no domain app. Each app contributes *inbox sources* from its
``AppConfig.ready`` with ``register(source)``; a source is a function ``source(user, ctx)``
returning one ``Section`` (a heading, how many items are waiting, the first few of them, each
linking to the exact page where the person acts) or ``None`` when it has nothing for that
person. A new app (inspections, 督办, 纠错 …) adds its source the same way, and the inbox page,
the workbench panel and the count in the navigation pick it up unchanged.

Sources must be set-based: a ``count`` query and one query for the first ``ctx.limit`` items
(``limit=0`` asks for the count only, which the navigation badge uses), never a query per item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from django.utils import timezone

# The levels of the deadline board: red when a clock has passed, yellow when it is near.
RED = "red"
YELLOW = "yellow"


@dataclass(frozen=True)
class Item:
    """One thing to do, with the page where it is done."""

    title: str
    url: str
    detail: str = ""
    level: str = ""  # "", "yellow" or "red"
    due_on: date | None = None
    case_number: str = ""


@dataclass(frozen=True)
class Section:
    code: str  # stable, e.g. "cases.approvals"
    label: str  # Chinese heading, e.g. "待我审批"
    order: int
    count: int
    items: list[Item] = field(default_factory=list)
    more_url: str = ""  # the full list, when ``count`` exceeds what is shown
    icon: str = "inbox"

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.items))

    @property
    def red(self) -> int:
        return sum(1 for i in self.items if i.level == RED)


@dataclass
class Context:
    """What every source needs, computed once per inbox (not once per source)."""

    user: Any
    limit: int = 10
    today: date = field(default_factory=timezone.localdate)

    @cached_property
    def scope(self) -> set[int]:
        from sanxiang.accounts.queries import visible_agency_ids

        return visible_agency_ids(self.user)

    @cached_property
    def officer(self) -> Any:
        """The user's 执法人员 record, or ``None`` (an admin, a supervisor)."""
        from sanxiang.directory.models import Officer

        return Officer.objects.filter(user_id=self.user.pk).first()

    @property
    def role(self) -> str:
        return "head" if self.user.is_superuser else str(getattr(self.user, "role", ""))


def cn_date(day: date | None) -> str:
    """A date as people read it: 2026年12月3日."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


Source = Callable[[Any, Context], Section | None]
_sources: list[Source] = []


def register(source: Source) -> Source:
    """Add an inbox source (idempotent: ``ready()`` may run twice in tests)."""
    if source not in _sources:
        _sources.append(source)
    return source


def register_all(sources: Iterable[Source]) -> None:
    for source in sources:
        register(source)


def unregister(source: Source) -> None:
    if source in _sources:
        _sources.remove(source)


@dataclass(frozen=True)
class Inbox:
    sections: list[Section]
    # Why the inbox is empty when it cannot be computed (e.g. an account with no agency).
    notice: str = ""

    @property
    def total(self) -> int:
        return sum(s.count for s in self.sections)


def inbox_for(user: Any, *, limit: int = 10, today: date | None = None) -> Inbox:
    """The inbox of ``user``: one section per source that has something for them."""
    if not getattr(user, "is_authenticated", False):
        return Inbox([])
    if user.agency_id is None and not user.is_superuser:
        return Inbox([], notice="该账户未关联执法主体，没有待办事项。请联系管理员关联所属单位。")
    ctx = Context(user=user, limit=limit, today=today or timezone.localdate())
    if not ctx.scope:
        return Inbox([], notice="该账户没有可办理的执法主体。")
    sections = [s for s in (source(user, ctx) for source in list(_sources)) if s and s.count]
    return Inbox(sorted(sections, key=lambda s: (s.order, s.code)))


def count_for(user: Any) -> int:
    """The number in the navigation: every source asked for its count only."""
    return inbox_for(user, limit=0).total
