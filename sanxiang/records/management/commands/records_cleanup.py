"""Remove temporary files of uploads (and exports) that a killed or aborted process left behind,
and resumable uploads that waited longer than ``SANXIANG_UPLOAD_RESUME_HOURS`` for their next
chunk (``records.resumable.remove_expired``: their rows and received bytes).

Run by `make run` at start; the task worker repeats it hourly (``records.tasks.cleanup_uploads``).
Only files
older than ``--minutes`` are removed, so an upload still in progress is never touched (an active
upload rewrites its file at least every few seconds).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sanxiang.lib import orphans
from sanxiang.records.cleanup import DEFAULT_MINUTES, remove_abandoned
from sanxiang.records.resumable import remove_expired


class Command(BaseCommand):
    help = "清理中断上传遗留的临时文件和未被引用的已生成文件"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--minutes", type=float, default=DEFAULT_MINUTES)

    def handle(self, *args: Any, **options: Any) -> None:
        removed = remove_abandoned(older_than_minutes=options["minutes"])
        self.stdout.write(f"已清理 {len(removed)} 个中断上传遗留的临时文件。")
        expired = remove_expired()
        self.stdout.write(f"已清理 {len(expired)} 个超过续传期限的分段上传。")
        orphaned = orphans.sweep_all(grace=timedelta(minutes=options["minutes"]))
        self.stdout.write(f"已清理 {len(orphaned)} 个未被任何记录引用的已生成文件。")
