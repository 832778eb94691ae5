"""Background work of the party's side (django-tasks, database backend; recurring through
``sanxiang.workbench.recurring``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from sanxiang.workbench import recurring

from .models import ProgressAttempt


@task()
def prune_progress_attempts() -> int:
    """Periodic: remove the tries older than the rate limit's window. Only the window's tries
    count (``services._check_limit``); older rows would only grow the table that every public
    query counts in (and keep, as HMACs, who asked when). Returns how many were removed."""
    window = timedelta(seconds=int(settings.SANXIANG_PROGRESS_RATE_WINDOW_SECONDS))
    removed, _ = ProgressAttempt.objects.filter(at__lt=timezone.now() - window).delete()
    recurring.again(prune_progress_attempts)
    return removed


recurring.register(prune_progress_attempts, every=timedelta(hours=1))
