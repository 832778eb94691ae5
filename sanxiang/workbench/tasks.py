"""The notifier's work for the task worker: new ledger entries into notifications (and their
mail), and the daily digest of deadlines near or past due."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django_tasks import task

from . import notifications, recurring


@task()
def dispatch_notifications() -> int:
    made = notifications.dispatch()
    notifications.send_pending_mail()  # also retries nothing twice: sent rows are not pending
    recurring.again(dispatch_notifications)
    return made


@task()
def daily_deadline_digest() -> int:
    made = notifications.deadline_digest()
    recurring.again(daily_deadline_digest)
    return made


recurring.register(
    dispatch_notifications, every=timedelta(seconds=int(settings.SANXIANG_NOTIFY_SECONDS))
)
recurring.register(daily_deadline_digest, every=timedelta(days=1))
