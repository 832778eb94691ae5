"""Lists that keep what they said before: a version table beside the current row.

Used by the 执法人员 register (here) and the 裁量基准 (``cases``): the current row is a cache of
the latest version and holds from its ``valid_from``; every change closes the version in force
and opens a new one from the date the change takes effect, in the caller's transaction (whose
ledger entry names the versions it wrote by number and content hash). A reader on a day before
the current row's ``valid_from`` reads the version then in force, and checks its hash first: a
version edited behind the application is refused, never silently used (``version_tampered``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from django.db import models
from django.db.models import Q

from sanxiang.lib.canonical import canonical_json
from sanxiang.lib.errors import DomainError, ValidationFailed


class Versioned(Protocol):
    number: int
    valid_from: date | None
    valid_to: date | None
    content_sha256: str


def content_hash(
    kind: str, number: int, valid_from: date | None, content: Mapping[str, Any]
) -> str:
    """SHA-256 over what a version says, its number and its start (canonical JSON)."""
    body = {"kind": kind, "number": number, "valid_from": valid_from, "content": dict(content)}
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def content_of(row: Any, fields: Sequence[str]) -> dict[str, Any]:
    """What a version (or the current row) says, as its content hash covers it. A field
    added to a list after versions were hashed is named with a trailing "?": it is part of
    the content only when not blank, so every version written before it still hashes to
    what its ledger entry recorded."""
    content: dict[str, Any] = {}
    for field in fields:
        name = field.rstrip("?")
        value = getattr(row, name)
        if field.endswith("?") and value in ("", None):
            continue
        content[name] = value
    return content


def current_hashes(
    rows: Iterable[Any], kind: str, fields: Sequence[str]
) -> dict[int, tuple[int, str]]:
    """Each current row's (version, content hash) as its table holds it now: what
    ``reconcile_versions`` compares with the row's latest version (``caches``)."""
    return {
        row.pk: (
            row.version,
            content_hash(kind, row.version, row.valid_from, content_of(row, fields)),
        )
        for row in rows
    }


def in_force(on: date) -> Q:
    """Versions in force on ``on``: [valid_from, valid_to), None on either side unbounded."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    )


def check_hash(kind: str, version: Any, fields: tuple[str, ...], label: str) -> Any:
    """The version, if its content still hashes to what was recorded; refused otherwise."""
    content = content_of(version, fields)
    if content_hash(kind, version.number, version.valid_from, content) != version.content_sha256:
        raise DomainError(
            "version_tampered",
            f"{label}第{version.number}版的内容与登记时的摘要不符（可能被绕过系统改动），"
            "已停止使用，请管理员运行账本核验并核对。",
        )
    return version


def write_version(
    *,
    kind: str,
    versions: models.QuerySet[Any],
    create: Callable[..., Any],
    before: Mapping[str, Any] | None,
    before_from: date | None,
    content: Mapping[str, Any],
    valid_from: date | None,
) -> list[dict[str, Any]]:
    """Close the version in force and open one from ``valid_from`` with ``content``.

    ``before``: the current row's content, written as version 1 when the row was never
    versioned (it held "since before versions were kept", ``before_from``). ``valid_from``
    None: a first version without a start of its own. Returns the versions written, for the
    ledger entry. A change dated before the current version began is refused: the past is not
    rewritten."""
    written: list[dict[str, Any]] = []
    current = versions.select_for_update().filter(valid_to__isnull=True).first()
    if current is None and before is not None:
        current = _create(kind, create, 1, before_from, before, written)
    if current is not None:
        if valid_from is None:
            raise ValidationFailed("变更须写明生效日期。", field="valid_from")
        if current.valid_from is not None and valid_from < current.valid_from:
            raise ValidationFailed(
                f"生效日期不能早于现行第{current.number}版的生效日期"
                f"（{current.valid_from:%Y年%m月%d日}）。",
                field="valid_from",
            )
        versions.filter(pk=current.pk).update(valid_to=valid_from)
    number = current.number + 1 if current is not None else 1
    _create(kind, create, number, valid_from, content, written)
    return written


def _create(
    kind: str,
    create: Callable[..., Any],
    number: int,
    valid_from: date | None,
    content: Mapping[str, Any],
    written: list[dict[str, Any]],
) -> Any:
    digest = content_hash(kind, number, valid_from, content)
    version = create(number=number, valid_from=valid_from, content_sha256=digest, **content)
    written.append({"id": version.pk, "number": number, "valid_from": valid_from, "sha256": digest})
    return version


def reconcile_versions(
    *,
    kind: str,
    table: str,
    facts: Iterable[Any],
    versions: Iterable[Any],
    fields: tuple[str, ...],
    caches: Mapping[int, tuple[int, str]],
    owner: str,
) -> Iterator[Any]:
    """``verify_ledger``'s check of a version table: every version written by an entry that
    names it with its hash, the row still hashing to that, and each cache row (``caches``:
    owner pk → (version number, hash of the cache's content as that version)) still the
    latest version. Yields ``ledger.reconcile.Divergence``s."""
    from sanxiang.ledger.reconcile import Divergence

    named: dict[int, tuple[str, int | None]] = {}
    for fact in facts:
        for written in fact.payload.get("versions", ()):
            named[written["id"]] = (written["sha256"], fact.seq)
    latest: dict[int, Any] = {}
    for v in versions:
        owner_pk = getattr(v, owner)
        if owner_pk not in latest or v.number > latest[owner_pk].number:
            latest[owner_pk] = v
        entry = named.get(v.pk)
        if entry is None:
            yield Divergence(table, str(v.pk), "id", None, "版本在账本中没有登记条目")
            continue
        recorded, seq = entry
        content = content_of(v, fields)
        actual = content_hash(kind, v.number, v.valid_from, content)
        if v.content_sha256 != recorded or actual != recorded:
            yield Divergence(
                table, str(v.pk), "content_sha256", seq, "版本内容与账本记载的摘要不符"
            )
    for owner_pk, (number, digest) in sorted(caches.items()):
        v = latest.get(owner_pk)
        if v is None or v.number != number or v.content_sha256 != digest:
            yield Divergence(
                table, str(owner_pk), "version", None, "现行记录与其最新版本的内容不一致"
            )
