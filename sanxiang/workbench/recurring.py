"""Recurring background work for the task worker.

django-tasks has no cron. A recurring task is registered here with its interval; each run ends by
calling ``again(task)``, which queues the next run ``every`` later unless one is already waiting,
and ``manage.py schedule_tasks`` (run by ``make run`` before the worker starts, and safe to run
again) queues the first run of every registered task that is not waiting yet.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

_registry: dict[str, tuple[Any, timedelta]] = {}


def register(task: Any, *, every: timedelta) -> Any:
    """Declare ``task`` recurring every ``every`` (call at import of the app's tasks module)."""
    _registry[task.module_path] = (task, every)
    return task


def waiting(task: Any) -> bool:
    """Whether a run of ``task`` is already queued (the database backend is inspected)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: nothing to look at
        return False
    return DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists()


def again(task: Any) -> bool:
    """Queue the next run of a registered task after its interval; whether one was queued."""
    if waiting(task):
        return False
    _, every = _registry[task.module_path]
    task.using(run_after=timezone.now() + every).enqueue()
    return True


def schedule_all() -> list[str]:
    """Queue a first run of every registered task not already waiting; the names queued."""
    started = []
    for _, (task, _every) in sorted(_registry.items()):
        if not waiting(task):
            task.enqueue()
            started.append(str(task.name))
    return started
