from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sanxiang.ledger import tasks


class Command(BaseCommand):
    help = "为任务进程排入账本的周期任务（排序入账、签署检查点），已排入的不重复。"

    def handle(self, *args: Any, **options: Any) -> None:
        started = tasks.schedule()
        self.stdout.write("已排入：" + ("、".join(started) if started else "无（均已在队列中）"))
