from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sanxiang.workbench import recurring


class Command(BaseCommand):
    help = (
        "为任务进程排入各项周期任务（账本入账与检查点、上传清理、公示到期、年报提醒），不重复排入。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = recurring.schedule_all()
        self.stdout.write("已排入：" + ("、".join(started) if started else "无（均已在队列中）"))
