"""Receiving and keeping the bytes of a record: spooled to a temporary file while hashing,
then stored under its content address through Django's storage API (local files or S3).

Memory stays constant whatever the size: bytes pass through in chunks, the hashes are updated
as they arrive, and the storage backend is given a file to read from (S3 uploads it in parts).
The database row is written only after ``store`` returned, so a process killed at any point
leaves either nothing or a complete object without a row — never a row pointing at a partial
file. Temporary files of killed uploads are removed by ``records_cleanup``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages

from sanxiang.lib.errors import ValidationFailed

from .sniff import HEAD_SIZE

CHUNK = 1 << 20  # 1 MiB: large enough for hashlib to run at full speed, small for memory
TMP_SUFFIX = ".part"


def tmp_dir() -> Path:
    path = Path(settings.SANXIANG_UPLOAD_TMP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_bytes() -> int:
    return int(settings.SANXIANG_MAX_UPLOAD_MB) * 1024 * 1024


def too_large_message() -> str:
    return f"文件超过上传上限（{settings.SANXIANG_MAX_UPLOAD_MB} MB），未保存。"


def content_address(sha256_hex: str) -> str:
    return f"sha256/{sha256_hex[:2]}/{sha256_hex[2:4]}/{sha256_hex}"


def use_sm3() -> bool:
    """SM3 alongside SHA-256 when 国密 is on. It runs at about a fifth of SHA-256's speed from
    hashlib (bench/bench_records.py measures both), so it is not computed by default."""
    return bool(settings.SANXIANG_HASH == "sm3")


@dataclass(frozen=True)
class Received:
    path: Path
    size: int
    sha256: str
    sm3: str
    head: bytes


class Spool:
    """A temporary file being written chunk by chunk, with running hashes and a size limit."""

    def __init__(self) -> None:
        fd, name = tempfile.mkstemp(prefix="up-", suffix=TMP_SUFFIX, dir=tmp_dir())
        self.path = Path(name)
        self._file: IO[bytes] = os.fdopen(fd, "wb")
        self._sha256 = hashlib.sha256()
        self._sm3 = hashlib.new("sm3") if use_sm3() else None
        self._head = bytearray()
        self._limit = max_bytes()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self._limit:
            self.discard()
            raise ValidationFailed(too_large_message(), field="file")
        if len(self._head) < HEAD_SIZE:
            self._head += chunk[: HEAD_SIZE - len(self._head)]
        self._sha256.update(chunk)
        if self._sm3 is not None:
            self._sm3.update(chunk)
        self._file.write(chunk)

    def finish(self) -> Received:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        return Received(
            path=self.path,
            size=self.size,
            sha256=self._sha256.hexdigest(),
            sm3=self._sm3.hexdigest() if self._sm3 is not None else "",
            head=bytes(self._head),
        )

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)


def spool_stream(stream: Any, *, length: int | None) -> Received:
    """Read ``length`` bytes (or to the end when None) from a file-like stream into a Spool.

    A stream that ends before ``length`` is a truncated upload: refused, nothing kept.
    """
    if length is not None and length > max_bytes():
        raise ValidationFailed(too_large_message(), field="file")
    spool = Spool()
    try:
        remaining = length
        while remaining is None or remaining > 0:
            want = CHUNK if remaining is None else min(CHUNK, remaining)
            chunk = stream.read(want)
            if not chunk:
                break
            spool.write(chunk)
            if remaining is not None:
                remaining -= len(chunk)
        if remaining:
            raise ValidationFailed(
                f"上传不完整：声明 {length} 字节，只收到 {spool.size} 字节。请重新上传。",
                field="file",
            )
        return spool.finish()
    except BaseException:
        spool.discard()
        raise


class _SpooledFile(File):
    """A File over the spooled temp file; FileSystemStorage moves it instead of copying."""

    def temporary_file_path(self) -> str:
        return str(self.name)


def storage() -> Storage:
    return storages["default"]


def store(received: Received) -> str:
    """Put the received bytes at their content address; return the storage name.

    The same content uploaded twice is stored once (the address is the hash). The stored size is
    checked against what was received before anyone may point a database row at it.
    """
    name = content_address(received.sha256)
    backend = storage()
    try:
        if not backend.exists(name):
            with open(received.path, "rb") as handle:
                saved = backend.save(name, _SpooledFile(handle, name=str(received.path)))
            if saved != name:
                # Another upload of the same bytes won the race; keep the first copy only.
                backend.delete(saved)
        stored_size = backend.size(name)
        if stored_size != received.size:
            raise ValidationFailed(
                f"存储校验失败：写入 {stored_size} 字节，应为 {received.size} 字节。", field="file"
            )
    finally:
        received.path.unlink(missing_ok=True)
    return name


def read_range(name: str, start: int, end: int) -> Iterator[bytes]:
    """Bytes ``start``..``end`` (inclusive) of a stored object, in chunks."""
    backend = storage()
    bucket = getattr(backend, "bucket", None)
    if bucket is not None:
        # S3: ask for the range itself rather than letting the backend download the object.
        body = bucket.Object(name).get(Range=f"bytes={start}-{end}")["Body"]
        yield from body.iter_chunks(CHUNK)
        return
    with backend.open(name, "rb") as handle:
        handle.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk


def abandoned_temp_files(*, older_than_seconds: float) -> list[Path]:
    cutoff = time.time() - older_than_seconds
    return [
        p for p in tmp_dir().glob(f"*{TMP_SUFFIX}") if p.is_file() and p.stat().st_mtime <= cutoff
    ]
