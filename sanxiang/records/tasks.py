"""Background work of the evidence store (django-tasks, database backend).

The cleanup recurs hourly (``sanxiang.workbench.recurring``; ``manage.py schedule_tasks``, run by
``make run``, queues its first run).
"""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from sanxiang.lib import orphans
from sanxiang.workbench import recurring

from .cleanup import DEFAULT_MINUTES, remove_abandoned
from .resumable import remove_expired


@task()
def cleanup_uploads(older_than_minutes: float = DEFAULT_MINUTES) -> int:
    """Periodic: remove temporary files of abandoned uploads, resumable uploads past their
    resume window, and rendered objects that no row references (``lib.orphans``); returns how
    many."""
    removed = len(remove_abandoned(older_than_minutes=older_than_minutes))
    removed += len(remove_expired())
    removed += len(orphans.sweep_all())
    recurring.again(cleanup_uploads)
    return removed


recurring.register(cleanup_uploads, every=timedelta(hours=1))
