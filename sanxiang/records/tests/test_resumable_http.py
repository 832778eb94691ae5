"""A resumable upload over real HTTP connections written by hand: a chunk whose connection is
closed half-way is discarded whole, HEAD tells where to go on, and the upload completes."""

import hashlib
import os
import socket
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

from sanxiang.cases.testing import open_test_case
from sanxiang.records.models import Record, ResumableUpload
from sanxiang.testing import World

from .helpers import JPEG
from .test_raw_http import CSRF, session_cookie
from .tus_client import checksum, metadata

pytestmark = pytest.mark.django_db(transaction=True)
PHOTO = JPEG + os.urandom(300_000)
CHUNK = 100_000


class Http:
    def __init__(self, live_server, cookie: str):
        self.url = urlparse(live_server.url)
        self.cookie = cookie

    def head_of(self, method: str, path: str, headers: dict[str, str], length: int) -> bytes:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.url.netloc}",
            "Accept: application/json",
            "Tus-Resumable: 1.0.0",
            f"Cookie: sessionid={self.cookie}; csrftoken={CSRF}",
            f"X-CSRFToken: {CSRF}",
            f"Content-Length: {length}",
            "Connection: close",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes = b""):
        with socket.create_connection((self.url.hostname, self.url.port), timeout=20) as sock:
            sock.sendall(self.head_of(method, path, headers, len(body)) + body)
            answer = b""
            while piece := sock.recv(65536):
                answer += piece
        head, _, content = answer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        found = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
        return int(status_line.split()[1]), found, content

    def cut(self, path: str, headers: dict[str, str], body: bytes, after: int) -> None:
        """Declare the whole chunk, send ``after`` bytes of it, and drop the connection."""
        sock = socket.create_connection((self.url.hostname, self.url.port), timeout=20)
        sock.sendall(self.head_of("PATCH", path, headers, len(body)) + body[:after])
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()  # a reset, as a phone losing its signal


def chunk_headers(offset: int, piece: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/offset+octet-stream",
        "Upload-Offset": str(offset),
        "Upload-Checksum": checksum(piece),
    }


def test_a_chunk_cut_mid_body_is_discarded_and_the_upload_resumes_over_new_connections(
    live_server,
):
    world = World.build()
    case = open_test_case(world)
    http = Http(live_server, session_cookie(world.officer))
    status, headers, body = http.send(
        "POST",
        f"/records/case/{case.pk}/uploads/",
        {
            "Upload-Length": str(len(PHOTO)),
            "Upload-Metadata": metadata(
                filename="scene.jpg",
                title="现场照片",
                evidence_type="audiovisual",
                media_kind="photo",
                label="internal",
                sha256=hashlib.sha256(PHOTO).hexdigest(),
            ),
        },
    )
    assert status == 201, body
    path = headers["location"]
    first = PHOTO[:CHUNK]
    assert http.send("PATCH", path, chunk_headers(0, first), first)[0] == 204
    second = PHOTO[CHUNK : 2 * CHUNK]
    http.cut(path, chunk_headers(CHUNK, second), second, after=40_000)
    # The server notices the connection is gone, cuts the partial chunk off, keeps the offset.
    offset = None
    for _ in range(50):
        status, headers, _ = http.send("HEAD", path, {})
        offset = int(headers["upload-offset"])
        part = next(Path(settings.SANXIANG_UPLOAD_TMP_DIR).glob("*.resume"))
        if part.stat().st_size == CHUNK:
            break
        time.sleep(0.1)
    assert offset == CHUNK
    assert ResumableUpload.objects.get().offset == CHUNK
    while offset < len(PHOTO):
        piece = PHOTO[offset : offset + CHUNK]
        status, headers, body = http.send("PATCH", path, chunk_headers(offset, piece), piece)
        if status == 423:  # the cut request may still hold the lock for a moment
            time.sleep(0.1)
            continue
        assert status == 204, body
        offset = int(headers["upload-offset"])
    record = Record.objects.get()
    assert headers["x-record-id"] == str(record.pk)
    assert record.sha256 == hashlib.sha256(PHOTO).hexdigest()
