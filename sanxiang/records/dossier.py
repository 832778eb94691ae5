"""电子案卷: a closed case exported as one zip a court or the justice bureau can check offline.

The file follows 立卷 practice (``procedures/filing.py`` cites the rules): a 卷宗封面 (案由, 当事人,
立案/结案日期, 保管期限, 立卷人 and 立卷日期, 审核人), the 卷内目录 (序号, 文号, 责任者, 题名, 日期,
页号 as a range, 备注), the items, and the 备考表 at the end (本卷情况说明: items and pages, what is
missing, 立卷人, 检查人, dates). The items' pages are numbered from 1; the cover, the catalogue
and the 备考表 carry no 页号. The case's 案卷 page (``views.case_file``) shows the same.

Layout of the archive:
  00-封面与目录.pdf     cover and catalogue, every item with its page range (filing order)
  NN-<title>.<ext>      the items: documents of the documents app (if installed), then records
  备考表.pdf            the 备考表, last
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
from sanxiang.procedures.definitions import StageRole, get_definition
from sanxiang.procedures.filing import RETENTION_BASIS, retention_for

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
    number: str = ""  # 文号
    responsible: str = ""  # 责任者
    remark: str = ""  # 备注
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def page_range(self) -> str:
        if self.pages == 0:
            return "—"
        last = self.first_page + self.pages - 1
        return str(self.first_page) if last == self.first_page else f"{self.first_page}-{last}"


def _scan_pages(chunks: Iterable[bytes], sink: Any) -> int:
    """Page objects seen in the raw bytes (a PDF without object streams), copying to ``sink``."""
    count, tail = 0, b""
    for chunk in chunks:
        sink.write(chunk)
        data = tail + chunk
        count += len(_PAGE.findall(data))
        tail = data[-32:]
        count -= len(_PAGE.findall(tail))
    return count + len(_PAGE.findall(tail))


def count_pdf_pages(chunks: Iterable[bytes]) -> int:
    """Pages of a PDF: the ``/Count`` of its page tree, read with pyHanko's PDF reader.

    WeasyPrint (pydyf ≥ 0.11) and pyHanko's signatures put the page objects in compressed
    object streams, where no ``/Type /Page`` can be seen in the bytes: counting them gave 0 and
    the catalogue "—" for every issued document. The raw count stays as the fallback for a file
    the reader cannot parse (a damaged upload).
    """
    from pyhanko.pdf_utils.reader import PdfFileReader  # late: only exports count pages

    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        raw = _scan_pages(chunks, spool)
        spool.seek(0)
        try:
            count = int(PdfFileReader(spool, strict=False).root["/Pages"]["/Count"])
        except Exception:  # any unreadable PDF falls back to the raw count
            return raw
    return count if count > 0 else raw


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
        responsible=str(record.uploaded_by),
        remark=_record_remark(record, pages),
    )


def _is_av(record: Record) -> bool:
    return record.media_kind in (MediaKind.AUDIO, MediaKind.VIDEO)


def _record_remark(record: Record, pages: int) -> str:
    notes = []
    if _is_av(record):
        notes.append(f"音像资料，无页号，SHA-256 {record.sha256[:16]}…")
    if record.label != "public":
        notes.append(f"{record.get_label_display()}，不公开")
    return "；".join(notes)


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
        number = str(getattr(doc, "number", ""))
        title = str(doc.title)
        if number and title.endswith(number):  # the 文号 has its own column
            title = title[: -len(number)].strip()
        items.append(
            Item(
                title=title,
                kind="文书",
                stage=str(getattr(doc, "stage", "")),
                at=doc.created_at,
                ext="pdf",
                pages=count_pdf_pages([data]),
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
                source=data,
                number=number,
                responsible=case.agency.name,
                remark="电子签章" if data[-4096:].find(b"/ByteRange") >= 0 else "",
            )
        )
    return items


def _file_lacking(case: Any) -> list[str]:
    """What the file lacks (the archive guard's list), when the documents app is installed."""
    if not apps.is_installed("sanxiang.documents"):
        return []
    from sanxiang.documents.guards import file_lacking

    return file_lacking(case)


def _stage_at(case: Any) -> Any:
    """A function giving the stage the case was in at a moment (from its ledgered steps)."""
    initial = get_definition(case.procedure).initial.code
    steps = [(at, target) for target, _, at in _transitions(case)]

    def stage(when: Any) -> str:
        current = initial
        for at, target in steps:
            if at > when:
                break
            current = target
        return current

    return stage


def filing_order(case: Any, items: list[Item]) -> list[Item]:
    """Items by the stage in which they were made, documents first within a stage, then by
    time; a document (which records no stage) is filed at the stage the case was in when it
    was issued."""
    order = {s.code: i for i, s in enumerate(get_definition(case.procedure).stages)}
    docs_first = {"文书": 0}
    stage_at = _stage_at(case)
    for item in items:
        if not item.stage:
            item.stage = stage_at(item.at)
    return sorted(
        items, key=lambda it: (order.get(it.stage, len(order)), docs_first.get(it.kind, 1), it.at)
    )


def paginate(case: Any, items: list[Item]) -> int:
    """Number the items' pages from 1 in filing order; return the total."""
    stage_labels = {s.code: s.label for s in get_definition(case.procedure).stages}
    page = 1
    for item in items:
        item.stage_label = str(stage_labels.get(item.stage, item.stage))
        item.first_page = page if item.pages else 0
        page += item.pages
    return page - 1


@dataclass
class Filing:
    """Who filed the case and when (立卷人, 立卷日期), who checked it (审核人/检查人).

    From the ledger: the 归档 step's actor and day; the head who approved 结案 or, failing
    that, the decision. Before 归档 the lead officer stands as the 立卷人 to be.
    """

    filed_by: str
    filed_on: Any
    checked_by: str
    checked_on: Any


def _transitions(case: Any) -> list[tuple[str, Any, Any]]:
    rows = Entry.objects.filter(case_id=case.pk, event_type="case.transition").order_by("id")
    found = []
    for raw, label, actor_id, at in rows.values_list(
        "payload", "actor_label", "actor_id", "created_at"
    ):
        target = str(json.loads(raw).get("target", ""))
        found.append((target, (label, actor_id), at))
    return found


def filing_of(case: Any) -> Filing:
    definition = case.definition
    archived = definition.codes_with_role(StageRole.ARCHIVED)
    closing = definition.codes_with_role(StageRole.CLOSING)
    decision = definition.codes_with_role(StageRole.DECISION)
    steps = _transitions(case)
    heads = set(
        User.objects.filter(pk__in=[a[1] for _, a, _ in steps if a[1]], role=Role.HEAD).values_list(
            "pk", flat=True
        )
    )
    filed = next(((a, at) for t, a, at in reversed(steps) if t in archived), None)
    checked = next(
        (
            (a, at)
            for codes in (closing, decision)
            for t, a, at in reversed(steps)
            if t in codes and a[1] in heads
        ),
        None,
    )
    lead = case.members.filter(is_lead=True).select_related("officer").first()
    return Filing(
        filed_by=filed[0][0] if filed else (f"{lead.officer.name}（拟）" if lead else "—"),
        filed_on=timezone.localdate(filed[1]) if filed else None,
        checked_by=checked[0][0] if checked else "—",
        checked_on=timezone.localdate(checked[1]) if checked else None,
    )


def file_context(case: Any, items: list[Item]) -> dict[str, Any]:
    """What the cover, the catalogue and the 备考表 show (page and PDF alike)."""
    total = paginate(case, items)
    lacking = _file_lacking(case)
    retention = retention_for(case.procedure, case.agency)
    audiovisual = sum(1 for it in items if isinstance(it.source, Record) and _is_av(it.source))
    return {
        "case": case,
        "definition": case.definition,
        "parties": "、".join(p.name for p in case.parties.all()) or "—",
        "items": items,
        "total_pages": total,
        "audiovisual": audiovisual,
        "retention": retention.label,
        "retention_basis": RETENTION_BASIS,
        "filing": filing_of(case),
        "lacking": lacking,
    }


def case_file(*, actor: User, case_id: int) -> dict[str, Any]:
    """The 案卷 page of a case: cover, catalogue with page numbers, 备考表 (no file content is
    shown, so nothing is a retrieval; opening an item goes through its own logged view)."""
    case = get_case_for(actor, case_id)
    records = list(Record.objects.filter(case_id=case.pk).select_related("uploaded_by"))
    items = filing_order(case, _document_items(case) + [_record_item(r) for r in records])
    return file_context(case, items)


def _front(context: dict[str, Any], exported_by: User) -> tuple[bytes, bytes]:
    """The cover with the catalogue, and the 备考表, as two PDFs."""
    context = {**context, "exported_by": exported_by}
    cover, _ = render_pdf("records/dossier_cover.html", context)
    notes, _ = render_pdf("records/dossier_notes.html", context)
    return cover, notes


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


def _write_zip(
    path: Path, front: tuple[bytes, bytes], items: list[Item], manifest: dict[str, Any]
) -> None:
    cover, notes = front
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
        archive.writestr("备考表.pdf", notes)
        manifest["items"] = [_manifest_item(it) for it in items]
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))


def _manifest_item(item: Item) -> dict[str, Any]:
    return {
        "file": item.extra.get("file"),
        "title": item.title,
        "number": item.number or None,
        "responsible": item.responsible,
        "remark": item.remark,
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
    records = list(Record.objects.filter(case_id=case.pk).select_related("uploaded_by"))
    log_export(actor=actor, record_ids=[r.pk for r in records], reason=EXPORT_REASON)
    items = filing_order(case, _document_items(case) + [_record_item(r) for r in records])
    context = file_context(case, items)
    front = _front(context, actor)
    cover = front[0]
    entries, bundle = ledger_part(case)
    manifest: dict[str, Any] = {
        "format": "sanxiang-case-file/1",
        "case": {"id": case.pk, "number": case.number, "title": case.title},
        "agency": case.agency.name,
        "procedure": case.procedure,
        "exported_at": timezone.localtime().isoformat(),
        "exported_by": actor.get_username(),
        "cover_sha256": hashlib.sha256(cover).hexdigest(),
        "notes_sha256": hashlib.sha256(front[1]).hexdigest(),
        "retention": context["retention"],
        "total_pages": context["total_pages"],
        "lacking": context["lacking"],
        "ledger_entries": entries,
        "ledger_proofs": "ledger-bundle.json",
        "checkpoint": bundle["checkpoint"],
        "ledger_bundle": bundle,
    }
    fd, name = tempfile.mkstemp(prefix="export-", suffix=blobs.TMP_SUFFIX, dir=blobs.tmp_dir())
    os.close(fd)
    path = Path(name)
    try:
        _write_zip(path, front, items, manifest)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
