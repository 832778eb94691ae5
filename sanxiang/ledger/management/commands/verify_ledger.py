"""Exit 0 when the ledger is intact; else exit 1 naming the first bad sequence number.

Trust nothing on the host: pin the published checkpoint key (``--log-key``), the witnesses'
keys (``--witness-key``) and give a checkpoint remembered from elsewhere
(``--trusted-checkpoint``), and a log rebuilt and re-signed with the key beside the database,
rolled back, truncated or forked is caught.
"""

from __future__ import annotations

import base64
import binascii
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sanxiang.ledger.verify import Trust, verify_ledger
from sanxiang.lib import tlog


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as err:
        raise CommandError(f"{what} 不是有效的 Base64：{text!r}") from err


def _trust(options: dict[str, Any]) -> Trust:
    log_key = None
    if options["log_key"]:
        raw = _b64(options["log_key"], "--log-key")
        log_key = ("sm2" if len(raw) == 64 else "ed25519", raw)
    trusted = None
    if options["trusted_checkpoint"]:
        try:
            trusted = Path(options["trusted_checkpoint"]).read_text("utf-8")
        except OSError as err:
            raise CommandError(f"无法读取受信任检查点：{err}") from err
    witnesses = []
    for item in options["witness_key"] or []:
        parts = item.split()
        if len(parts) != 2:
            raise CommandError(f"--witness-key 应为 '<名称> <base64 公钥>'：{item!r}")
        witnesses.append(tlog.CosignerKey(parts[0], _b64(parts[1], "--witness-key")))
    hours = options["max_age_hours"]
    if hours is None:
        hours = float(settings.SANXIANG_LEDGER_MAX_UNCHECKPOINTED_HOURS)
    quorum = options["quorum"] if options["quorum"] is not None else len(witnesses)
    return Trust(
        log_key=log_key,
        trusted=trusted,
        witnesses=tuple(witnesses),
        quorum=quorum,
        max_age=timedelta(hours=hours) if hours > 0 else None,
    )


class Command(BaseCommand):
    help = (
        "重算全部账本条目、树节点与检查点，核对签名、见证与一致性；完好退出码 0，"
        "否则 1 并给出第一个出错的序号。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=20000)
        parser.add_argument(
            "--no-state",
            action="store_true",
            help="只校验账本本身，不核对业务数据与数据库触发器",
        )
        parser.add_argument(
            "--skip-nodes",
            action="store_true",
            help="不重算树节点（默认重算，出具证明所用的节点表）",
        )
        parser.add_argument("--nodes", action="store_true", help="（默认已重算树节点，保留兼容）")
        parser.add_argument(
            "--log-key", help="执法机关公布的检查点公钥（Base64），不用本机密钥文件"
        )
        parser.add_argument(
            "--trusted-checkpoint", help="从别处取得的签名检查点文件（见证方或公示平台）"
        )
        parser.add_argument(
            "--witness-key", action="append", help="'<见证方名称> <base64 公钥>'，可重复"
        )
        parser.add_argument("--quorum", type=int, help="最新检查点至少需要的见证签名数")
        parser.add_argument(
            "--max-age-hours",
            type=float,
            help="条目最长可在多少小时内未进入检查点（0 为不查；默认取配置）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = verify_ledger(
            chunk_size=options["chunk_size"],
            nodes=not options["skip_nodes"],
            trust=_trust(options),
            # The state check (issue 9, item 3): the tables against the replayed ledger, and
            # the triggers as installed (ledger.reconcile; each app registers its part).
            state=not options["no_state"],
        )
        state = report.divergences
        for divergence in state[:200]:
            self.stderr.write(divergence.line())
        if len(state) > 200:
            self.stderr.write(f"……另有 {len(state) - 200} 处状态不一致")
        elapsed = time.perf_counter() - started
        if report.ok and state:
            self.stderr.write(f"账本本身完好，但业务数据与账本有 {len(state)} 处不一致。")
            raise SystemExit(1)
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
