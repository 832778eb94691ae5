"""电子案卷: a closed case exported as one zip a court or the justice bureau can check offline.

Layout of the archive:
  00-封面与目录.pdf     cover and catalogue, every item with its page range (filing order)
  NN-<title>.<ext>      the items: documents of the documents app (if installed), then records
  manifest.json         case, items with SHA-256 (and SM3), page counts, ledger entries
  ledger-bundle.json    inclusion proofs of the case's ledger entries against a named signed
                        checkpoint (``ledger.services.inclusion_bundle``); check it offline with
                        ``python tools/verify_bundle.py case.zip`` (no Django, no database)

Filing order follows the Liaoning standard (cover, catalogue, documents in procedural order):
items are ordered by the stage of the procedure in which they were made, then by time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.cases.queries import get_case_for, is_on_team
from sanxiang.ledger import services as ledger_services
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.procedures.definitions import get_definition

from . import blobs
from .models import MediaKind, Record
from .pdf import render_pdf
from .services import log_export

EXPORT_REASON = "电子案卷导出（结案归档）"
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_UNSAFE = re.compile(r"[\\/:*?\"<>|\s]+")


@dataclass
class Item:
    title: str
    kind: str
    stage: str
    at: Any
    ext: str
    pages: int
    sha256: str = ""
    sm3: str = ""
    size: int = 0
    record_id: int | None = None
    source: Any = None  # a Record, or bytes of a document's PDF
    first_page: int = 0
    stage_label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def page_range(self) -> str:
        if self.pages == 0:
            return "—"
        last = self.first_page + self.pages - 1
        return str(self.first_page) if last == self.first_page else f"{self.first_page}-{last}"


def count_pdf_pages(chunks: Iterable[bytes]) -> int:
    """Pages of a PDF, counted from its page objects while streaming (no PDF library)."""
    count, tail = 0, b""
    for chunk in chunks:
        data = tail + chunk
        count += len(_PAGE.findall(data))
        tail = data[-32:]
        count -= len(_PAGE.findall(tail))
    return count + len(_PAGE.findall(tail))


EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
    "text/plain": "txt",
}


def _record_item(record: Record) -> Item:
    if record.content_type == "application/pdf":
        pages = count_pdf_pages(blobs.read_range(record.storage_name, 0, record.size - 1))
    elif record.media_kind in (MediaKind.AUDIO, MediaKind.VIDEO):
        pages = 0  # 音像 items are listed in the catalogue but have no pages
    else:
        pages = 1
    return Item(
        title=record.title,
        kind=f"{record.get_evidence_type_display()}（{record.get_media_kind_display()}）",
        stage=record.stage,
        at=record.uploaded_at,
        ext=EXTENSIONS.get(record.content_type, "bin"),
        pages=pages,
        sha256=record.sha256,
        sm3=record.sm3,
        size=record.size,
        record_id=record.pk,
        source=record,
    )


def _document_items(case: Any) -> list[Item]:
    """Documents (文书) of the case, when the documents app offers them.

    Duck-typed so this app does not depend on ``documents``: if it has
    ``queries.for_case_file(case)`` yielding objects with ``title``, ``stage``, ``created_at``
    and ``pdf_bytes()``, they are filed too.
    """
    if not apps.is_installed("sanxiang.documents"):
        return []
    try:
        from sanxiang.documents import queries as documents_queries
    except ImportError:
        return []
    provider = getattr(documents_queries, "for_case_file", None)
    if provider is None:
        return []
    items = []
    for doc in provider(case):
        data: bytes = doc.pdf_bytes()
        items.append(
            Item(
                title=str(doc.title),
                kind="文书",
                stage=str(getattr(doc, "stage", "")),
                at=doc.created_at,
                ext="pdf",
                pages=count_pdf_pages([data]),
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
                source=data,
            )
        )
    return items


def filing_order(case: Any, items: list[Item]) -> list[Item]:
    order = {s.code: i for i, s in enumerate(get_definition(case.procedure).stages)}
    docs_first = {"文书": 0}
    return sorted(
        items, key=lambda it: (order.get(it.stage, len(order)), docs_first.get(it.kind, 1), it.at)
    )


def _cover(case: Any, items: list[Item], exported_by: User) -> bytes:
    """Cover and catalogue; rendered until the catalogue's own length is stable."""
    definition = get_definition(case.procedure)
    stage_labels = {s.code: s.label for s in definition.stages}
    front = 2  # the cover and, usually, one page of catalogue: then one rendering suffices
    for _ in range(3):
        page = front + 1
        for item in items:
            item.stage_label = str(stage_labels.get(item.stage, item.stage))
            item.first_page = page if item.pages else 0
            page += item.pages
        context = {
            "case": case,
            "definition": definition,
            "items": items,
            "total_pages": page - 1,
            "exported_by": exported_by,
        }
        data, pages = render_pdf("records/dossier_cover.html", context)
        if pages == front:
            return data
        front = pages
    return data


def ledger_part(case: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The case's ledger entries and their inclusion proofs against a signed checkpoint.

    A checkpoint is signed now if the latest does not cover the case's newest entries (the
    export's own retrieval entries included), so every entry can be proven.
    """
    checkpoint = ledger_services.make_checkpoint(only_if_grown=True)
    bundle = ledger_services.inclusion_bundle(case_id=case.pk, checkpoint=checkpoint)
    entries = [
        {
            "id": e.pk,
            "seq": e.seq,
            "created_at": e.created_at.isoformat(),
            "event_type": e.event_type,
            "actor": e.actor_label,
            "payload_hash": e.payload_hash,
            "leaf_hash": e.leaf_hash,
        }
        for e in Entry.objects.filter(case_id=case.pk).order_by("seq", "id")
    ]
    return entries, bundle


def _archive_name(number: int, item: Item) -> str:
    title = _UNSAFE.sub("_", item.title)[:60]
    return f"{number:02d}-{title}.{item.ext}"


def _write_zip(path: Path, cover: bytes, items: list[Item], manifest: dict[str, Any]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr("00-封面与目录.pdf", cover)
        # First JSON member: tools/verify_bundle.py reads the first .json of a zip it is given.
        bundle = manifest.pop("ledger_bundle")
        archive.writestr("ledger-bundle.json", json.dumps(bundle, ensure_ascii=False, indent=1))
        for number, item in enumerate(items, 1):
            name = _archive_name(number, item)
            item.extra["file"] = name
            if isinstance(item.source, bytes):
                archive.writestr(name, item.source)
                continue
            record: Record = item.source
            with archive.open(name, "w", force_zip64=True) as out:
                for chunk in blobs.read_range(record.storage_name, 0, record.size - 1):
                    out.write(chunk)
        manifest["items"] = [_manifest_item(it) for it in items]
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))


def _manifest_item(item: Item) -> dict[str, Any]:
    return {
        "file": item.extra.get("file"),
        "title": item.title,
        "kind": item.kind,
        "stage": item.stage,
        "pages": item.pages,
        "first_page": item.first_page or None,
        "size": item.size,
        "sha256": item.sha256,
        "sm3": item.sm3 or None,
        "record": item.record_id,
    }


def is_closed(case: Any) -> bool:
    """结案 or 归档: the stages whose file may be exported."""
    return bool(case.definition.is_closed(case.stage))


def export_case(*, actor: User, case_id: int) -> Path:
    """Write the 电子案卷 of a closed case to a temporary file and return its path.

    Every record put in the archive is a retrieval (调阅) and is logged as such, in one
    transaction that commits before the checkpoint is signed: the archive proves its own
    export entries too.
    """
    case = get_case_for(actor, case_id)
    if not is_closed(case):
        raise DomainError("conflict", "只有已结案或已归档的案件可以导出电子案卷。")
    if not (is_on_team(actor, case) or actor.role == Role.HEAD or actor.is_superuser):
        raise DomainError("forbidden", "只有办案人员或负责人可以导出电子案卷。")
    records = list(Record.objects.filter(case_id=case.pk))
    log_export(actor=actor, record_ids=[r.pk for r in records], reason=EXPORT_REASON)
    items = filing_order(case, _document_items(case) + [_record_item(r) for r in records])
    cover = _cover(case, items, actor)
    entries, bundle = ledger_part(case)
    manifest: dict[str, Any] = {
        "format": "sanxiang-case-file/1",
        "case": {"id": case.pk, "number": case.number, "title": case.title},
        "agency": case.agency.name,
        "procedure": case.procedure,
        "exported_at": timezone.localtime().isoformat(),
        "exported_by": actor.get_username(),
        "cover_sha256": hashlib.sha256(cover).hexdigest(),
        "ledger_entries": entries,
        "ledger_proofs": "ledger-bundle.json",
        "checkpoint": bundle["checkpoint"],
        "ledger_bundle": bundle,
    }
    fd, name = tempfile.mkstemp(prefix="export-", suffix=blobs.TMP_SUFFIX, dir=blobs.tmp_dir())
    os.close(fd)
    path = Path(name)
    try:
        _write_zip(path, cover, items, manifest)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
