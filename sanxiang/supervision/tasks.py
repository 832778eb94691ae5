"""Daily supervision work for the task worker: escalate 督办 whose deadline passed unanswered."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from sanxiang.workbench import recurring

from .notices import escalate_overdue


@task()
def escalate_notices() -> None:
    escalate_overdue()
    recurring.again(escalate_notices)


recurring.register(escalate_notices, every=timedelta(days=1))
