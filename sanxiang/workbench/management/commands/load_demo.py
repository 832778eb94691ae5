"""Load the demo agency (idempotent): each app contributes its own ``demo.load()``."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand

# In dependency order; each module's load() finds existing rows before creating any.
DEMO_MODULES = [
    "sanxiang.directory.demo",
    "sanxiang.catalog.demo",
    "sanxiang.cases.demo",
    "sanxiang.coercion.demo",  # 查封、扣押 of 非法宗教宣传品 (行政强制法)
    "sanxiang.records.demo",
    "sanxiang.review.demo",
    "sanxiang.disclosure.demo",
    "sanxiang.supervision.demo",  # the district's second agency (市场监督管理局)
    "sanxiang.inspections.demo",  # freezes a plan, signs the checkpoint that seeds its draw
    "sanxiang.ledger.demo",  # last: sequence the demo's entries and sign a checkpoint
]


class Command(BaseCommand):
    help = "载入演示执法主体：兴隆台区民族和宗教事务局（可重复执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        for name in DEMO_MODULES:
            importlib.import_module(name).load()
        from sanxiang.directory.demo import DEMO_PASSWORD

        self.stdout.write(
            "演示数据已就绪。演示账户：admin（管理员）、head（负责人）、wang、li（执法人员）、"
            f"zhao、qian（法制审核）、sun（司法局执法监督）；密码 {DEMO_PASSWORD}；"
            "动态口令：python manage.py otp_code <用户名>"
        )
