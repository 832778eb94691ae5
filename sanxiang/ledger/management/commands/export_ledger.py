from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sanxiang.ledger.export import write_bundle


class Command(BaseCommand):
    help = (
        "导出账本（全部条目、检查点、公钥）为 .json 或 .zip，供 tools/verify_bundle.py 离线核验。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.suffix not in {".json", ".zip"}:
            raise CommandError("输出文件须以 .json 或 .zip 结尾。")
        count = write_bundle(out)
        self.stdout.write(f"已导出 {count} 条账本条目到 {out}")
