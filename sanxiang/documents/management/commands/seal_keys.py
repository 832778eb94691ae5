"""``manage.py seal_keys``: list the agencies' seal certificates; ``--demo`` makes what is missing.

``--demo`` creates a demo CA in ``SANXIANG_SEAL_DIR`` (if there is none) and a seal certificate
for every agency without one. It is for the demo and for trying the system: in production the
certificates come from the agency's 电子印章 provider (docs/sealing.md), and the CA key is never
on the application host.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sanxiang.directory.models import Agency
from sanxiang.documents import sealing


class Command(BaseCommand):
    help = "查看各执法主体的电子印章证书；--demo 为缺少证书的主体生成演示证书"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", action="store_true", help="生成演示 CA 和缺少的印章证书")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = sealing.seal_dir()
        if options["demo"]:
            ca, ca_key = folder / "ca.pem", folder / "ca-key.pem"
            if ca.is_file() and ca_key.is_file():
                ca_pem, key_pem = ca.read_bytes(), ca_key.read_bytes()
            else:
                ca_pem, key_pem = sealing.make_ca(folder)
                self.stdout.write(f"已生成演示电子印章 CA：{ca}")
            for agency in Agency.objects.order_by("pk"):
                if sealing.files_for(agency) is None:
                    sealing.issue_agency_certificate(
                        folder, agency, ca_cert_pem=ca_pem, ca_key_pem=key_pem
                    )
                    self.stdout.write(f"已生成演示印章证书：{agency.name}")
        for agency in Agency.objects.order_by("pk"):
            files = sealing.files_for(agency)
            state = f"证书 {files.cert}" if files else "无印章证书（文书不加盖电子印章）"
            self.stdout.write(f"{agency.name}：{state}")
