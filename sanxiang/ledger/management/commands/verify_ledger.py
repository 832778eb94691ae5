"""Exit 0 when the ledger is intact; else exit 1 naming the first bad sequence number."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sanxiang.ledger.verify import verify_ledger


class Command(BaseCommand):
    help = (
        "重算全部账本条目与检查点，核对签名与一致性；完好退出码 0，否则 1 并给出第一个出错的序号。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=20000)
        parser.add_argument(
            "--nodes", action="store_true", help="同时重算全部树节点（出具证明所用的节点表）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = verify_ledger(chunk_size=options["chunk_size"], nodes=options["nodes"])
        elapsed = time.perf_counter() - started
        if report.ok:
            self.stdout.write(
                f"账本完好：{report.entries} 条，{report.checkpoints} 个检查点，"
                f"待排序 {report.unsequenced} 条，用时 {elapsed:.1f} 秒。"
            )
            return
        problems = sorted(report.problems, key=lambda p: p.seq)
        for problem in problems[:50]:
            self.stderr.write(problem.message)
        if len(problems) > 50:
            self.stderr.write(f"……另有 {len(problems) - 50} 处问题")
        self.stdout.write(f"first_bad_seq={report.first_bad_seq}")
        self.stderr.write(f"账本校验失败：第一个出错的序号是 {report.first_bad_seq}。")
        raise SystemExit(1)
