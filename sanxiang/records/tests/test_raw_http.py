"""Uploads over a real HTTP connection, written by hand: a client that declares more bytes than
it sends, and one that declares more than the limit. Both are refused; nothing is kept."""

import json
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanxiang.cases.testing import open_test_case
from sanxiang.records.models import Record
from sanxiang.testing import World

from .helpers import WEBM

pytestmark = pytest.mark.django_db(transaction=True)
CSRF = "a" * 32


def session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.create()
    return session.session_key or ""


def put_raw(
    live_server,
    *,
    declared: int,
    sent: bytes,
    method: str = "PUT",
    content_type: str = "application/octet-stream",
) -> dict:
    """Send an upload by hand: declare ``declared`` bytes, send ``sent``, then stop sending."""
    world = World.build()
    case = open_test_case(world)
    url = urlparse(live_server.url)
    path = (
        f"/api/v1/records/upload?case_id={case.pk}&title=x&evidence_type=audiovisual"
        "&media_kind=video"
        if method == "PUT"
        else f"/records/case/{case.pk}/upload/"
    )
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {url.netloc}\r\nAccept: application/json\r\n"
        f"Content-Length: {declared}\r\nContent-Type: {content_type}\r\n"
        f"Cookie: sessionid={session_cookie(world.officer)}; csrftoken={CSRF}\r\n"
        f"X-CSRFToken: {CSRF}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((url.hostname, url.port), timeout=20) as sock:
        sock.sendall(head.encode() + sent)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 422 " in status_line, answer[:300]
    error = json.loads(rest.partition(b"\r\n\r\n")[2])["error"]
    assert error["code"] == "validation_error"
    return error


def test_a_body_shorter_than_its_content_length_is_refused_and_nothing_is_kept(live_server):
    error = put_raw(live_server, declared=1_002_000, sent=WEBM[:2000])
    assert "上传不完整" in error["message"]
    assert not Record.objects.exists()
    assert list(Path(settings.SANXIANG_UPLOAD_TMP_DIR).glob("*")) == []
    assert not Path(settings.MEDIA_ROOT, "sha256").exists()


def test_a_declared_size_above_the_limit_is_refused_before_any_body_is_sent(live_server, settings):
    settings.SANXIANG_MAX_UPLOAD_MB = 1
    error = put_raw(live_server, declared=50 * 1024 * 1024 * 1024, sent=b"")
    assert "上传上限（1 MB）" in error["message"]
    assert not Record.objects.exists()
    assert list(Path(settings.SANXIANG_UPLOAD_TMP_DIR).glob("*")) == []


def test_a_truncated_multipart_form_upload_is_refused_and_nothing_is_kept(live_server):
    fields = {"title": "录像", "evidence_type": "audiovisual", "media_kind": "video"}
    body = b"".join(
        f'--B\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in {**fields, "label": "internal", "csrfmiddlewaretoken": CSRF}.items()
    )
    body += b'--B\r\nContent-Disposition: form-data; name="file"; filename="v.webm"\r\n'
    body += b"Content-Type: video/webm\r\n\r\n" + WEBM[:3000]  # and then the client stops
    error = put_raw(
        live_server,
        declared=len(body) + 500_000,
        sent=body,
        method="POST",
        content_type="multipart/form-data; boundary=B",
    )
    assert "上传不完整" in error["message"]
    assert not Record.objects.exists()
    assert list(Path(settings.SANXIANG_UPLOAD_TMP_DIR).glob("*")) == []
