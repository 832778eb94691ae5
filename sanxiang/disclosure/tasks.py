"""Daily disclosure work for the task worker: expiry and the January 年报 reminder."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django_tasks import task

from sanxiang.workbench import recurring


@task()
def expire_publications() -> None:
    call_command("disclosure_expire")
    recurring.again(expire_publications)


@task()
def remind_annual_report() -> None:
    """Daily; the command itself only reminds in January (the report is due by 31 January)."""
    call_command("disclosure_report_reminder")
    recurring.again(remind_annual_report)


recurring.register(expire_publications, every=timedelta(days=1))
recurring.register(remind_annual_report, every=timedelta(days=1))
