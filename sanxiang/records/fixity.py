"""Fixity check of the evidence store (``manage.py verify_records``).

A record's row could be edited or deleted by someone with database access, and its stored bytes
changed by someone with storage access. Neither goes unnoticed: the ledger entry
``record.added`` (itself covered by signed checkpoints, see ``verify_ledger``) holds the hash,
size and label each record had when it was added, and the content address is the hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from sanxiang.ledger.models import Entry

from . import blobs
from .models import Record

CHECKED_FIELDS = ("sha256", "sm3", "size", "label", "evidence_type", "media_kind", "stage")


@dataclass(frozen=True)
class Problem:
    record_id: int
    message: str


def _added_payloads() -> dict[int, dict[str, object]]:
    payloads = {}
    for raw in Entry.objects.filter(event_type="record.added").values_list("payload", flat=True):
        data = json.loads(raw)
        payloads[int(data["record"])] = data
    return payloads


def _rehash(record: Record) -> str:
    digest = hashlib.sha256()
    for chunk in blobs.read_range(record.storage_name, 0, record.size - 1):
        digest.update(chunk)
    return digest.hexdigest()


def problems(*, rehash: bool = False) -> Iterator[Problem]:
    """Every mismatch between rows, the ledger and the stored bytes, by record id."""
    added = _added_payloads()
    seen = set()
    for record in Record.objects.order_by("pk").iterator():
        seen.add(record.pk)
        logged = added.get(record.pk)
        if logged is None:
            yield Problem(record.pk, "账本中没有该记录的登记条目（record.added）")
            continue
        for name in CHECKED_FIELDS:
            if str(logged.get(name, "")) != str(getattr(record, name)):
                yield Problem(record.pk, f"“{name}”与账本登记不一致：记录被改动")
        if record.storage_name != blobs.content_address(record.sha256):
            yield Problem(record.pk, "存储地址与内容摘要不符")
        yield from _check_bytes(record, rehash=rehash)
    for missing in sorted(set(added) - seen):
        yield Problem(missing, "账本登记过的记录在数据库中已不存在：记录被删除")


def _check_bytes(record: Record, *, rehash: bool) -> Iterator[Problem]:
    """Always that the object exists with its size (a stat, or a HEAD on S3); with
    ``rehash`` also its bytes."""
    backend = blobs.storage()
    if not backend.exists(record.storage_name):
        yield Problem(record.pk, "存储中找不到原件")
        return
    if backend.size(record.storage_name) != record.size:
        yield Problem(record.pk, "原件大小与登记不符")
        return
    if rehash and _rehash(record) != record.sha256:
        yield Problem(record.pk, "原件内容的 SHA-256 与登记不符：原件被改动")
