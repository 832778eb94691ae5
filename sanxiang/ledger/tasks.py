"""Periodic ledger work for the task worker (django-tasks has no cron).

Each task re-enqueues itself with ``run_after``; ``manage.py ledger_schedule`` (run by
``make run`` before the worker starts) enqueues the first of each unless one is waiting.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import services


def _seconds(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _waiting(task_path: str) -> bool:
    """Whether a run of ``task_path`` is already queued (database backend only)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: nothing to look at
        return False
    return DBTaskResult.objects.filter(task_path=task_path, status="READY").exists()


def _again(recurring: object, seconds: int) -> None:
    when = timezone.now() + timedelta(seconds=seconds)
    recurring.using(run_after=when).enqueue()  # type: ignore[attr-defined]


@task()
def integrate_pending() -> int:
    """Sequence entries whose after-commit integration was skipped (another one was busy)."""
    done = services.integrate()
    if not _waiting(integrate_pending.module_path):
        _again(integrate_pending, _seconds("SANXIANG_LEDGER_INTEGRATE_SECONDS", 15))
    return done


@task()
def make_checkpoint() -> int:
    """Sign a checkpoint if the log grew since the last one; return its size."""
    cp = services.make_checkpoint(only_if_grown=True)
    if not _waiting(make_checkpoint.module_path):
        _again(make_checkpoint, _seconds("SANXIANG_LEDGER_CHECKPOINT_SECONDS", 600))
    return cp.tree_size


def schedule() -> list[str]:
    """Enqueue each periodic task unless one is already waiting; return those enqueued."""
    started = []
    for recurring in (integrate_pending, make_checkpoint):
        if not _waiting(recurring.module_path):
            recurring.enqueue()
            started.append(recurring.name)
    return started
