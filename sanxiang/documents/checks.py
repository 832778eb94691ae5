"""``manage.py check --deploy``: every agency that issues documents has a seal it can sign with,
and the CA's private key is not on the application host (docs/sealing.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509
from django.core.checks import Warning as CheckWarning
from django.core.checks import register
from django.db.utils import DatabaseError

from . import sealing

EXPIRY_WARNING = dt.timedelta(days=30)


@register("documents", deploy=True)
def seals(app_configs: Any = None, **kwargs: Any) -> list[CheckWarning]:
    from sanxiang.directory.models import Agency

    warnings = []
    if (sealing.seal_dir() / "ca-key.pem").exists():
        warnings.append(
            CheckWarning(
                "电子印章 CA 的私钥位于应用主机（ca-key.pem）：这只适用于演示。"
                "生产环境的印章证书由电子印章服务机构签发，CA 私钥不应在本机。",
                id="sanxiang.W201",
            )
        )
    try:
        # The agencies with a 文号简称 are those that issue numbered documents.
        agencies = list(Agency.objects.exclude(short_name="").order_by("pk"))
    except DatabaseError:
        return warnings  # no database yet: "migrate" reports that
    now = dt.datetime.now(dt.UTC)
    for agency in agencies:
        files = sealing.files_for(agency)
        if files is None:
            warnings.append(
                CheckWarning(
                    f"{agency.name}没有电子印章证书：其文书将不加盖电子印章。",
                    hint=f"把证书和私钥放在 {sealing.seal_dir() / sealing.agency_key(agency)}",
                    id="sanxiang.W202",
                )
            )
            continue
        cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
        if cert.not_valid_after_utc - now < EXPIRY_WARNING:
            warnings.append(
                CheckWarning(
                    f"{agency.name}的电子印章证书将于 {cert.not_valid_after_utc:%Y-%m-%d} 到期"
                    "（到期后该机关无法制发文书）。",
                    id="sanxiang.W203",
                )
            )
    return warnings
