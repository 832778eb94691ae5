from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sanxiang.ledger import formats, services


class Command(BaseCommand):
    help = "排序待入账条目并立即签署一个检查点，输出其签名文本。"

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = services.make_checkpoint()
        self.stdout.write(formats.checkpoint_record(checkpoint)["note"])
