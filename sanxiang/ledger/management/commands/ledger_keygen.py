from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sanxiang.ledger import keys, signing


class Command(BaseCommand):
    help = "生成检查点签名密钥（文件权限 0600，位于 SANXIANG_LEDGER_KEY_FILE），并显示公钥。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="覆盖已有密钥（旧检查点将无法验证）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = keys.key_path()
        if path.exists() and not options["force"]:
            key = signing.load_or_create(path, keys.algorithm())
            self.stdout.write(f"密钥已存在：{path}")
        else:
            key = signing.generate(keys.algorithm())
            try:
                signing.write_key(path, key, overwrite=options["force"])
            except OSError as err:
                raise CommandError(f"无法写入密钥文件 {path}：{err}") from err
            self.stdout.write(f"已生成 {key.algorithm} 密钥：{path}")
        info = keys.public_key_info(key)
        self.stdout.write(
            f"公钥（{info['algorithm']}，标识 {info['key_id']}）：{info['public_key']}"
        )
