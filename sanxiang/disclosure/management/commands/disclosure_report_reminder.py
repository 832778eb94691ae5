"""Remind agencies in January that last year's 年报 is due by 31 January."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from sanxiang.disclosure import queries
from sanxiang.disclosure.portal_queries import public_bodies


class Command(BaseCommand):
    help = "1月提醒各执法主体在1月31日前公开上年度行政执法数据年报"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--any-month", action="store_true", help="不限于1月（测试用）")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if today.month != 1 and not options["any_month"]:
            self.stdout.write("仅在1月提醒。")
            return
        for status in queries.report_status_for(list(public_bodies()), today):
            if status.state in {"pending", "missing"}:
                self.stdout.write(f"{status.agency.name}：{status.year}年度年报{status.label}")
