"""Take down published items whose publication period has ended (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from sanxiang.disclosure import services


class Command(BaseCommand):
    help = "公示期满的执法决定从公示平台下线，并记入账本"

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.expire_due(today=timezone.localdate())
        self.stdout.write(f"公示期满下线 {count} 条。")
