"""What supervision puts in people's 待办 (registered into ``sanxiang.workbench.inbox``)."""

from __future__ import annotations

SOURCES: tuple = ()
