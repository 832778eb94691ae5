"""Daily disclosure work for the task worker: expiry and the January 年报 reminder."""

from __future__ import annotations

from django.core.management import call_command
from django_tasks import task


@task()
def expire_publications() -> None:
    call_command("disclosure_expire")


@task()
def remind_annual_report() -> None:
    call_command("disclosure_report_reminder")
