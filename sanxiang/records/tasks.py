"""Background work of the evidence store (django-tasks, database backend).

django-tasks has no cron: the cleanup re-enqueues itself with ``run_after``, and
``manage.py records_cleanup --schedule`` (run by ``make run``) enqueues the first run.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .cleanup import DEFAULT_MINUTES, remove_abandoned

INTERVAL = timedelta(hours=1)


def _waiting() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: nothing to look at
        return False
    path = cleanup_uploads.module_path
    return DBTaskResult.objects.filter(task_path=path, status="READY").exists()


def schedule() -> bool:
    """Enqueue the next cleanup unless one is waiting; whether one was enqueued."""
    if _waiting():
        return False
    cleanup_uploads.using(run_after=timezone.now() + INTERVAL).enqueue()
    return True


@task()
def cleanup_uploads(older_than_minutes: float = DEFAULT_MINUTES) -> int:
    """Periodic: remove temporary files of abandoned uploads; returns how many."""
    removed = len(remove_abandoned(older_than_minutes=older_than_minutes))
    schedule()
    return removed
