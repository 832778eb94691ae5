"""Check every record against its ledger entry and that its object exists with its size
(a stat, or a HEAD on S3); with --rehash also recompute the stored bytes' hash.

Exit 0 when everything holds; otherwise exit 1, printing each problem and the first bad
record id. Run it after ``verify_ledger``, which vouches for the ledger entries themselves.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sanxiang.records.fixity import problems


class Command(BaseCommand):
    help = "核验证据与音像记录：数据库记录与账本登记一致，（--rehash）原件未被改动"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rehash", action="store_true", help="重新读取原件计算摘要")

    def handle(self, *args: Any, **options: Any) -> None:
        found = list(problems(rehash=options["rehash"]))
        for problem in found:
            self.stderr.write(f"记录 {problem.record_id}：{problem.message}")
        if found:
            first = min(p.record_id for p in found)
            self.stdout.write(f"first_bad_record={first}")
            sys.exit(1)
        self.stdout.write("证据与音像记录核验通过。")
