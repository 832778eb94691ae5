"""``manage.py witness keygen|serve``: an independent C2SP tlog-witness (sanxiang.lib.tlog).

The justice bureau runs it on its own machine with its own key; it needs no database, only the
public keys of the logs it follows and a state file (the last checkpoint it cosigned per log).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sanxiang.lib import tlog


def _read_seed(path: Path) -> bytes:
    try:
        seed = base64.b64decode(path.read_text("ascii").strip(), validate=True)
    except (OSError, ValueError) as err:
        raise CommandError(f"无法读取见证密钥 {path}：{err}") from err
    if len(seed) != 32:
        raise CommandError(f"见证密钥 {path} 应为 32 字节 Ed25519 种子（Base64）")
    return seed


def _parse_log(text: str) -> tuple[str, tlog.LogKey]:
    parts = text.split()
    if len(parts) != 2:
        raise CommandError(f"--log 应为 '<origin> <base64 公钥>'：{text!r}")
    try:
        public = base64.b64decode(parts[1], validate=True)
    except ValueError as err:
        raise CommandError(f"--log 的公钥不是有效的 Base64：{text!r}") from err
    return parts[0], tlog.LogKey(parts[0], public)


class Command(BaseCommand):
    help = "独立见证方（C2SP tlog-witness）：keygen 生成见证密钥；serve 提供 add-checkpoint 服务。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        keygen = sub.add_parser("keygen", help="生成见证密钥（Ed25519 种子，权限 0600）")
        keygen.add_argument("--key-file", required=True, type=Path)
        keygen.add_argument("--name", required=True, help="见证方名称，如 sfj.xlt.gov.cn/witness")
        serve = sub.add_parser("serve", help="运行见证服务")
        serve.add_argument("--name", required=True)
        serve.add_argument("--key-file", required=True, type=Path)
        serve.add_argument("--state", required=True, type=Path, help="见证状态文件（JSON）")
        serve.add_argument(
            "--log", action="append", required=True, help="'<origin> <base64 公钥>'，可重复"
        )
        serve.add_argument("--listen", default="127.0.0.1:8380")
        serve.add_argument("--hash", default="sha256", choices=["sha256", "sm3"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "keygen":
            self._keygen(options["key_file"], options["name"])
            return
        seed = _read_seed(options["key_file"])
        logs: dict[str, list[tlog.LogKey]] = {}
        for text in options["log"]:
            origin, key = _parse_log(text)
            logs.setdefault(origin, []).append(key)
        witness = tlog.Witness(
            name=options["name"],
            seed=seed,
            logs=logs,
            state_path=options["state"],
            hash_name=options["hash"],
        )
        host, _, port = options["listen"].rpartition(":")
        server = tlog.serve(witness, host or "127.0.0.1", int(port))
        public = base64.b64encode(witness.key.public_key).decode()
        self.stdout.write(
            f"见证方 {witness.name} 监听 {host}:{server.server_address[1]}，公钥 {public}",
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()

    def _keygen(self, path: Path, name: str) -> None:
        if path.exists():
            raise CommandError(f"{path} 已存在；不覆盖现有见证密钥")
        seed = os.urandom(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(seed).decode() + "\n")
        public = base64.b64encode(tlog.ed25519_public(seed)).decode()
        self.stdout.write(f"{name} {public}")
