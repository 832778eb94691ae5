"""A small tus 1.0 client over Django's test client (the protocol tests and the benchmark)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.test import Client
from django.urls import reverse

TUS = {"Tus-Resumable": "1.0.0"}
OFFSET_TYPE = "application/offset+octet-stream"


def metadata(**fields: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in fields.items())


def checksum(chunk: bytes) -> str:
    return "sha256 " + base64.b64encode(hashlib.sha256(chunk).digest()).decode()


def create(
    client: Client,
    case_id: int,
    content: bytes,
    *,
    media_kind: str = "photo",
    title: str = "现场照片",
    length: int | None = None,
    sha256: str | None = None,
    **extra: str,
) -> Any:
    fields = {
        "filename": "scene.jpg",
        "title": title,
        "evidence_type": "audiovisual",
        "media_kind": media_kind,
        "label": "internal",
        "sha256": hashlib.sha256(content).hexdigest() if sha256 is None else sha256,
        **extra,
    }
    return client.post(
        reverse("records:uploads", args=[case_id]),
        headers={
            **TUS,
            "Upload-Length": str(len(content) if length is None else length),
            "Upload-Metadata": metadata(**fields),
        },
    )


def patch(client: Client, url: str, offset: int, chunk: bytes, *, digest: str | None = None) -> Any:
    return client.generic(
        "PATCH",
        url,
        data=chunk,
        content_type=OFFSET_TYPE,
        headers={
            **TUS,
            "Upload-Offset": str(offset),
            "Upload-Checksum": checksum(chunk) if digest is None else digest,
        },
    )


def head(client: Client, url: str) -> Any:
    return client.head(url, headers=TUS)


def send_all(client: Client, url: str, content: bytes, chunk: int) -> Any:
    """Every chunk in order; the last answer."""
    response = None
    for offset in range(0, len(content), chunk):
        response = patch(client, url, offset, content[offset : offset + chunk])
        assert response.status_code == 204, response.content
    return response
