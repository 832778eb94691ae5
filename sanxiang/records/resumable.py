"""Resumable uploads: a file sent in chunks, each checked against its SHA-256, resumed after a
dropped connection from the last chunk the server kept; the record is written only once the
whole file's SHA-256, declared when the upload began, is verified (docs/records.md).

The HTTP side is ``tus.py`` (tus 1.0 core with the creation, checksum, expiration and
termination extensions). Here, protocol-free:

- ``create_upload``: refused before a byte is sent (metadata, case, person, archived case, size);
  an empty temporary file ``rs-<token>.resume`` and a ``ResumableUpload`` row with offset 0.
- ``receive_chunk``: under an exclusive lock on the temporary file (two requests for the same
  upload never write at once), the chunk is appended at the offset the row holds, hashed as it
  arrives and fsync'd; only then does the row's offset move. A chunk cut short by a dropped
  connection, or whose SHA-256 is not the one sent with it, is cut off the file again and the
  offset stays: the client sends that chunk again. Bytes beyond the row's offset (left by a
  process killed mid-chunk) are cut off before the next chunk is written, so the row's offset
  is the truth.
- The chunk that brings in the first 4 KiB is sniffed (``sniff.py``): content that is not the
  declared kind is refused there, not after the whole video has been sent.
- The last chunk: the whole temporary file is hashed again and compared with the declared
  SHA-256; the file is stored at its content address (``blobs.store``: moved, or sent to S3),
  and the record, its ledger entry and the upload's completion are one transaction
  (``services.write_record``).
- ``remove_expired`` (``records_cleanup``, hourly task): rows and files of uploads that waited
  longer than ``SANXIANG_UPLOAD_RESUME_HOURS`` for their next chunk, and files without a row.

Every refusal raises a ``DomainError`` of the ``upload_*`` group and changes nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sanxiang.accounts.models import User
from sanxiang.lib.errors import DomainError

from . import blobs, services
from .models import MediaKind, Record, ResumableUpload
from .services import RecordData
from .sniff import EXECUTABLE, HEAD_SIZE, accepted, sniff

RESUME_SUFFIX = ".resume"
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Files without a row (a process killed between creating the file and its row) go after this.
ORPHAN_GRACE_SECONDS = 3600


class _Running:
    """The whole-file hashes of the uploads whose chunks this process received, each as far as
    the offset it was last brought to: the last chunk then needs no second pass over the file.
    A chunk received by another worker process breaks the chain (the offsets no longer agree)
    and the file is hashed again from disk at the end; so does a restarted process."""

    LIMIT = 64

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hashes: OrderedDict[str, tuple[int, Any, Any]] = OrderedDict()

    def resume(self, token: str, offset: int) -> tuple[Any, Any] | None:
        """Copies of the hashes of bytes 0..offset, or None when this process lost the chain."""
        with self._lock:
            entry = self._hashes.get(token)
        if entry is not None and entry[0] == offset:
            return entry[1].copy(), entry[2].copy() if entry[2] is not None else None
        if offset == 0:
            return hashlib.sha256(), hashlib.new("sm3") if blobs.use_sm3() else None
        return None

    def keep(self, token: str, offset: int, hashes: tuple[Any, Any] | None) -> None:
        with self._lock:
            if hashes is None:
                self._hashes.pop(token, None)
                return
            self._hashes[token] = (offset, *hashes)
            self._hashes.move_to_end(token)
            while len(self._hashes) > self.LIMIT:
                self._hashes.popitem(last=False)


RUNNING = _Running()


def part_path(token: str) -> Path:
    if not _TOKEN.match(token):
        raise DomainError("upload_not_found", "上传标识无效。")
    return blobs.tmp_dir() / f"rs-{token}{RESUME_SUFFIX}"


def chunk_bytes() -> int:
    """The chunk size the capture page sends."""
    return int(settings.SANXIANG_UPLOAD_CHUNK_KB) * 1024


def max_chunk_bytes() -> int:
    return int(settings.SANXIANG_UPLOAD_MAX_CHUNK_MB) * 1024 * 1024


# The capture page doubles its chunk while chunks go through quickly, up to this (and halves
# it after a slow or dropped one, down to its starting size's quarter): a weak link resends
# little, a good one pays the per-request cost rarely.
PAGE_CHUNK_CEILING = 16 * 1024 * 1024


def page_chunk_ceiling() -> int:
    return max(chunk_bytes(), min(max_chunk_bytes(), PAGE_CHUNK_CEILING))


def resume_window() -> timedelta:
    return timedelta(hours=int(settings.SANXIANG_UPLOAD_RESUME_HOURS))


def _metadata_json(data: RecordData) -> dict[str, Any]:
    return {
        "evidence_type": data.evidence_type,
        "media_kind": data.media_kind,
        "title": data.title,
        "label": data.label,
        "description": data.description,
        "original_name": data.original_name,
        "captured_at": data.captured_at.isoformat() if data.captured_at else None,
        "position": data.position,
    }


def record_data(upload: ResumableUpload) -> RecordData:
    meta = upload.metadata
    captured = parse_datetime(meta["captured_at"]) if meta.get("captured_at") else None
    return RecordData(
        case_id=upload.case_id,
        evidence_type=meta["evidence_type"],
        media_kind=meta["media_kind"],
        title=meta["title"],
        label=meta["label"],
        description=meta["description"],
        original_name=meta["original_name"],
        captured_at=captured,
        position=meta.get("position"),
    )


def _too_large(length: int) -> None:
    if length > blobs.max_bytes():
        raise DomainError("upload_too_large", blobs.too_large_message())


def create_upload(*, actor: User, data: RecordData, length: int, sha256: str) -> ResumableUpload:
    """Begin an upload of ``length`` bytes whose whole SHA-256 (hex) is ``sha256``."""
    services.prepare_upload(actor=actor, data=data)
    if length <= 0:
        raise DomainError("upload_request_invalid", "文件为空，未开始上传。")
    _too_large(length)
    sha256 = sha256.strip().lower()
    if not _SHA256_HEX.match(sha256):
        raise DomainError(
            "upload_request_invalid", "开始上传时须声明整个文件的 SHA-256（64位十六进制）。"
        )
    token = secrets.token_urlsafe(24)
    part_path(token).touch(exist_ok=False)
    return _create_row(actor=actor, data=data, length=length, sha256=sha256, token=token)


@transaction.atomic(durable=True)
def _create_row(
    *, actor: User, data: RecordData, length: int, sha256: str, token: str
) -> ResumableUpload:
    case = services.prepare_upload(actor=actor, data=data)
    now = timezone.now()
    return ResumableUpload.objects.create(
        token=token,
        case=case,
        agency_id=case.agency_id,
        created_by=actor,
        created_at=now,
        updated_at=now,
        expires_at=now + resume_window(),
        length=length,
        sha256=sha256,
        metadata=_metadata_json(data),
    )


NOT_FOUND = "未找到该上传：上传标识不存在，或不是您在本案件中开始的上传。"


def get_upload_for(
    actor: User, *, case_id: int, token: str, check_case: bool = True
) -> ResumableUpload:
    """The upload ``token`` that ``actor`` began in case ``case_id`` and may still continue:
    another person's upload, or one begun in another case, is not found (its existence is
    not confirmed); access to the case is checked again, as at the start (unless the caller
    checks it itself: ``check_case=False``)."""
    upload = ResumableUpload.objects.filter(token=token, case_id=case_id, created_by=actor).first()
    if upload is None or not _TOKEN.match(token):
        raise DomainError("upload_not_found", NOT_FOUND)
    if check_case:
        services.check_uploader(actor=actor, case_id=case_id)
    receiving = upload.status == ResumableUpload.Status.RECEIVING
    if receiving and upload.expires_at <= timezone.now():
        raise DomainError("upload_expired", "该上传已超过续传期限，已失效，请重新上传。")
    return upload


def _offset_mismatch(upload: ResumableUpload, offset: int) -> DomainError:
    if upload.status == ResumableUpload.Status.COMPLETE:
        return DomainError("upload_offset_mismatch", "该文件已全部上传并生成记录，无需续传。")
    return DomainError(
        "upload_offset_mismatch",
        f"续传位置不符：服务器已接收 {upload.offset} 字节，本次从第 {offset} 字节开始。"
        "请从服务器已接收的位置续传。",
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[IO[bytes]]:
    """The temporary file, opened for writing under an exclusive lock (never waited for)."""
    try:
        handle = open(path, "r+b")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise DomainError("upload_expired", "该上传的已接收部分已被清理，请重新上传。") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DomainError(
                "upload_busy", "该上传的另一段数据正在接收中，请稍后再试（不要同时续传）。"
            ) from None
        yield handle
    finally:
        handle.close()


def content_type_of(media_kind: str, head: bytes) -> str:
    """The sniffed type of ``head``, or a refusal when it is not the declared media kind."""
    detected = sniff(head)
    if detected == EXECUTABLE:
        raise DomainError(
            "upload_type_mismatch", "文件内容是可执行程序，不是所声明的类型，已拒收。"
        )
    if detected is None or not accepted(media_kind, detected):
        kind = MediaKind(media_kind).label
        raise DomainError(
            "upload_type_mismatch",
            f"文件内容（{detected or '无法识别'}）与所声明的载体“{kind}”不符，已拒收。",
        )
    return detected


def _write_chunk(
    handle: IO[bytes],
    *,
    offset: int,
    length: int,
    checksum: bytes,
    stream: Any,
    running: tuple[Any, Any] | None,
) -> None:
    """Append ``length`` bytes of ``stream`` at ``offset``; cut them off again unless all of
    them came and their SHA-256 is ``checksum``. ``running`` (the whole file's hashes so far)
    are brought up to date as the bytes pass."""
    handle.truncate(offset)
    handle.seek(offset)
    digest = hashlib.sha256()
    got = 0
    try:
        while got < length:
            piece = stream.read(min(blobs.CHUNK, length - got))
            if not piece:
                break
            digest.update(piece)
            if running is not None:
                for whole in running:
                    if whole is not None:
                        whole.update(piece)
            handle.write(piece)
            got += len(piece)
    except OSError:
        pass  # the connection dropped mid-chunk: the same as a short body
    if got < length:
        handle.truncate(offset)
        raise DomainError(
            "upload_request_invalid",
            f"本段数据不完整（应为 {length} 字节，收到 {got} 字节），未保存；"
            f"请从第 {offset} 字节续传。",
        )
    if digest.digest() != checksum:
        handle.truncate(offset)
        raise DomainError(
            "upload_checksum_mismatch",
            f"本段数据的 SHA-256 与随附的摘要不一致，传输中可能出错，未保存；"
            f"请从第 {offset} 字节重新发送本段。",
        )
    handle.flush()
    os.fsync(handle.fileno())


def _whole_file(
    handle: IO[bytes], upload: ResumableUpload, path: Path, running: tuple[Any, Any] | None
) -> blobs.Received:
    """The received file, its hashes checked against the declared SHA-256: from ``running``
    when this process saw every chunk, else read again from disk."""
    handle.seek(0)
    head = handle.read(HEAD_SIZE)
    if running is not None and (running[1] is not None) == blobs.use_sm3():
        sha256, sm3 = running
        size = handle.seek(0, os.SEEK_END)
    else:
        handle.seek(0)
        sha256 = hashlib.sha256()
        sm3 = hashlib.new("sm3") if blobs.use_sm3() else None
        size = 0
        while piece := handle.read(blobs.CHUNK):
            sha256.update(piece)
            if sm3 is not None:
                sm3.update(piece)
            size += len(piece)
    if size != upload.length or sha256.hexdigest() != upload.sha256:
        raise DomainError(
            "upload_hash_mismatch",
            "整个文件的 SHA-256 与开始上传时声明的不一致，未生成记录。请重新上传该文件。",
        )
    return blobs.Received(
        path=path,
        size=size,
        sha256=upload.sha256,
        sm3=sm3.hexdigest() if sm3 is not None else "",
        head=head,
    )


def receive_chunk(
    *,
    actor: User,
    case_id: int,
    token: str,
    offset: int,
    length: int,
    checksum: bytes,
    stream: Any,
) -> ResumableUpload:
    """Receive one chunk of ``length`` bytes for position ``offset``; the last one makes the
    record (``upload.record``). ``checksum`` is the chunk's SHA-256 digest (32 bytes)."""
    upload = get_upload_for(actor, case_id=case_id, token=token, check_case=False)
    data = record_data(upload)
    services.prepare_upload(actor=actor, data=data)  # the case, the person, archived: again
    if upload.status != ResumableUpload.Status.RECEIVING or offset != upload.offset:
        raise _offset_mismatch(upload, offset)
    if length <= 0:
        raise DomainError("upload_request_invalid", "本段数据为空。")
    if length > max_chunk_bytes():
        raise DomainError(
            "upload_too_large",
            f"单次发送的数据段超过上限（{settings.SANXIANG_UPLOAD_MAX_CHUNK_MB} MB），未保存。",
        )
    if offset + length > upload.length:
        raise DomainError(
            "upload_too_large",
            f"本段数据超出开始上传时声明的文件长度（{upload.length} 字节），未保存。",
        )
    path = part_path(token)
    with _locked(path) as handle:
        upload.refresh_from_db()  # under the lock: the offset a request before us moved
        if upload.status != ResumableUpload.Status.RECEIVING or offset != upload.offset:
            raise _offset_mismatch(upload, offset)
        running = RUNNING.resume(token, offset)
        _write_chunk(
            handle,
            offset=offset,
            length=length,
            checksum=checksum,
            stream=stream,
            running=running,
        )
        new_offset = offset + length
        need = min(HEAD_SIZE, upload.length)
        try:
            if offset < need <= new_offset:
                handle.seek(0)
                content_type_of(data.media_kind, handle.read(HEAD_SIZE))
            if new_offset < upload.length:
                _advance(upload, old=offset, new=new_offset)
                RUNNING.keep(token, new_offset, running)
                return upload
            RUNNING.keep(token, 0, None)
            received = _whole_file(handle, upload, path, running)
            content_type = content_type_of(data.media_kind, received.head)
        except DomainError:
            handle.truncate(offset)
            raise
        _finish(
            actor=actor,
            upload=upload,
            data=data,
            received=received,
            content_type=content_type,
            old=offset,
        )
    return upload


@transaction.atomic(durable=True)
def _advance(upload: ResumableUpload, *, old: int, new: int) -> None:
    now = timezone.now()
    changed = ResumableUpload.objects.filter(
        pk=upload.pk, status=ResumableUpload.Status.RECEIVING, offset=old
    ).update(offset=new, updated_at=now, expires_at=now + resume_window())
    if changed != 1:
        raise _offset_mismatch(upload, old)
    upload.offset, upload.updated_at = new, now


def _finish(
    *,
    actor: User,
    upload: ResumableUpload,
    data: RecordData,
    received: blobs.Received,
    content_type: str,
    old: int,
) -> None:
    name = blobs.store(received)  # moves the temporary file away (or sends it to S3)
    try:
        record = _complete(
            actor=actor,
            upload=upload,
            data=data,
            received=received,
            content_type=content_type,
            storage_name=name,
            old=old,
        )
    except BaseException:
        # The bytes have left the temporary file: this upload cannot be continued. The stored
        # object without a row is what a killed ``add_record`` leaves too.
        ResumableUpload.objects.filter(
            pk=upload.pk, status=ResumableUpload.Status.RECEIVING
        ).delete()
        raise
    upload.status, upload.offset, upload.record = (
        ResumableUpload.Status.COMPLETE,
        upload.length,
        record,
    )


@transaction.atomic(durable=True)
def _complete(
    *,
    actor: User,
    upload: ResumableUpload,
    data: RecordData,
    received: blobs.Received,
    content_type: str,
    storage_name: str,
    old: int,
) -> Record:
    record = services.write_record(
        actor=actor,
        data=data,
        received=received,
        content_type=content_type,
        storage_name=storage_name,
    )
    now = timezone.now()
    changed = ResumableUpload.objects.filter(
        pk=upload.pk, status=ResumableUpload.Status.RECEIVING, offset=old
    ).update(
        status=ResumableUpload.Status.COMPLETE,
        offset=upload.length,
        record=record,
        updated_at=now,
        # A finished upload is still answered for a while: a client whose last answer was
        # lost asks where it stands and learns the record.
        expires_at=now + resume_window(),
    )
    if changed != 1:
        raise _offset_mismatch(upload, old)
    return record


def cancel_upload(*, actor: User, case_id: int, token: str) -> None:
    """The person who began an upload gives it up (tus termination): row and bytes go."""
    upload = get_upload_for(actor, case_id=case_id, token=token)
    if upload.status == ResumableUpload.Status.COMPLETE:
        raise DomainError("conflict", "该文件已上传完成并生成记录；记录不能删除。")
    path = part_path(token)
    with _locked(path):
        ResumableUpload.objects.filter(
            pk=upload.pk, status=ResumableUpload.Status.RECEIVING
        ).delete()
        path.unlink(missing_ok=True)


def _busy(path: Path) -> bool:
    try:
        with _locked(path):
            return False
    except DomainError:
        return True


def remove_expired(*, now: datetime | None = None) -> list[Path]:
    """Uploads past their resume window (rows, and the bytes of unfinished ones), and files
    no row names; an upload receiving a chunk at this moment is left alone."""
    now = now or timezone.now()
    removed: list[Path] = []
    for upload in ResumableUpload.objects.filter(expires_at__lte=now).iterator():
        path = part_path(upload.token)
        if path.exists() and _busy(path):
            continue
        ResumableUpload.objects.filter(pk=upload.pk, expires_at__lte=now).delete()
        if path.exists():
            path.unlink(missing_ok=True)
            removed.append(path)
    cutoff = time.time() - ORPHAN_GRACE_SECONDS
    for path in blobs.tmp_dir().glob(f"rs-*{RESUME_SUFFIX}"):
        token = path.name[3 : -len(RESUME_SUFFIX)]
        if path.stat().st_mtime > cutoff or ResumableUpload.objects.filter(token=token).exists():
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed
