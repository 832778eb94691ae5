"""Background work of the evidence store (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from .cleanup import DEFAULT_MINUTES, remove_abandoned


@task()
def cleanup_uploads(older_than_minutes: float = DEFAULT_MINUTES) -> int:
    """Periodic: remove temporary files of abandoned uploads; returns how many."""
    return len(remove_abandoned(older_than_minutes=older_than_minutes))
