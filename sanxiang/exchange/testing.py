"""Test helpers of the exchange app: sign a request as an external system would."""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.test import Client

from sanxiang.lib import signing

from . import services
from .models import ApiClient


def signed_headers(
    key: ApiClient,
    secret: str,
    *,
    method: str,
    url: str,
    body: bytes = b"",
    timestamp: int | None = None,
    nonce: str | None = None,
    hash_name: str | None = None,
) -> dict[str, str]:
    parts = urlsplit(url)
    stamp = int(time.time()) if timestamp is None else timestamp
    nonce = nonce or secrets.token_hex(12)
    signature = signing.sign(
        secret.encode(),
        method=method,
        path=parts.path,
        query=parts.query,
        body=body,
        timestamp=stamp,
        nonce=nonce,
        hash_name=hash_name or services.hash_name(),
    )
    return {
        "X-Sanxiang-Key": key.key_id,
        "X-Sanxiang-Timestamp": str(stamp),
        "X-Sanxiang-Nonce": nonce,
        "X-Sanxiang-Signature": signature,
    }


def call(
    http: Client,
    key: ApiClient,
    secret: str,
    method: str,
    url: str,
    data: Any = None,
    *,
    idempotency_key: str | None = None,
    **sign_options: Any,
) -> Any:
    body = b"" if data is None else json.dumps(data, ensure_ascii=False).encode()
    headers = signed_headers(key, secret, method=method, url=url, body=body, **sign_options)
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return http.generic(method, url, body, content_type="application/json", headers=headers)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Receiver:
    """The reference receiver as a real process on a local port; stop and start it at will."""

    def __init__(
        self, *, port: int, secret: str, out: Path, hang: bool = False, fail: int = 0
    ) -> None:
        self.port, self.secret, self.out, self.hang, self.fail = port, secret, out, hang, fail
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sanxiang/push"

    def start(self) -> None:
        root = Path(__file__).resolve().parents[2]
        self.process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [
                sys.executable,
                "-m",
                "sanxiang.exchange.receiver",
                "--port",
                str(self.port),
                "--secret",
                self.secret,
                "--out",
                str(self.out),
                *(["--hang"] if self.hang else []),
                *(["--fail", str(self.fail)] if self.fail else []),
            ],
            cwd=root,
            stdout=subprocess.PIPE,
        )
        assert self.process.stdout is not None  # noqa: S101
        self.process.stdout.readline()  # "ready"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def received(self) -> list[dict[str, Any]]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text().splitlines() if line]
