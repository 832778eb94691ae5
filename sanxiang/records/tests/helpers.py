"""Bytes that look like real files to the sniffer, and a one-line upload for tests."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanxiang.records import services
from sanxiang.records.models import Record

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R >> endobj\n"
    b"4 0 obj << /Type /Page /Parent 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + bytes(range(256)) * 40
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 2000
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 1000


def upload(
    actor: Any,
    case: Any,
    content: bytes = PDF,
    *,
    media_kind: str = "document",
    evidence_type: str = "documentary",
    label: str = "internal",
    title: str = "现场检查笔录",
    length: int | None = None,
    **kwargs: Any,
) -> Record:
    data = services.RecordData(
        case_id=case.pk,
        evidence_type=evidence_type,
        media_kind=media_kind,
        title=title,
        label=label,
        **kwargs,
    )
    return services.add_record(
        actor=actor,
        data=data,
        stream=io.BytesIO(content),
        length=len(content) if length is None else length,
    )


def staff_client(user: Any) -> Client:
    """A client signed in with both factors, without paying for Argon2 on every test
    (the login page itself is tested in accounts; ``signed_in`` goes through it)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client
