"""The documents' side of ``verify_ledger``'s state check (``ledger.reconcile``).

Every ``document.issued`` entry names the document row and the hashes of its content, PDF and
DOCX; the row must carry the same hashes and the stored files must still hash to them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from django.core.files.storage import default_storage

from sanxiang.ledger.reconcile import Divergence, Fact, Reconciler

from .models import IssuedDocument, StepRequirement

EVENT_TYPES = ("document.issued",)
_FIELDS = ("content_sha256", "pdf_sha256", "docx_sha256")


def _file_hash(name: str) -> str | None:
    try:
        with default_storage.open(name, "rb") as handle:
            digest = hashlib.sha256()
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
            return digest.hexdigest()
    except (FileNotFoundError, OSError):
        return None


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    issued = {f.payload["document"]: f for f in facts if "document" in f.payload}
    rows = {d.pk: d for d in IssuedDocument.objects.all()}
    for pk in sorted(rows.keys() - issued.keys()):
        yield Divergence(
            "documents_issueddocument", str(pk), "id", None, "文书在账本中没有制发条目"
        )
    for pk, fact in sorted(issued.items()):
        doc = rows.get(pk)
        if doc is None:
            yield Divergence(
                "documents_issueddocument", str(pk), "id", fact.seq, "账本记载的文书在表中不存在"
            )
            continue
        for name in _FIELDS:
            if getattr(doc, name) != fact.payload.get(name):
                yield Divergence(
                    "documents_issueddocument", str(pk), name, fact.seq, "文书摘要与账本记载不符"
                )
        for file_field, hash_field in (("pdf_name", "pdf_sha256"), ("docx_name", "docx_sha256")):
            actual = _file_hash(getattr(doc, file_field))
            if actual != fact.payload.get(hash_field):
                what = "文件不存在" if actual is None else "文件内容与账本记载的摘要不符"
                yield Divergence("documents_issueddocument", str(pk), file_field, fact.seq, what)


RECONCILER = Reconciler("documents", EVENT_TYPES, check)


# --- The agency's step-bound documents (StepRequirement) ------------------------------------
# ``document.step_requirement_added`` names the row and every field it was saved with;
# ``document.step_requirement_ended`` its valid_to. A row added, changed or deleted behind the
# services (raw SQL) is named here.
STEP_EVENTS = ("document.step_requirement_added", "document.step_requirement_ended")
STEP_TABLE = "documents_steprequirement"
_STEP_FIELDS = {
    "procedure": "procedure",
    "source": "source",
    "target": "target",
    "kind": "kind",
    "delivered": "delivered",
    "matter_id": "matter",
    "basis": "basis",
}


def check_step_requirements(facts: Sequence[Fact]) -> Iterable[Divergence]:
    added: dict[int, Fact] = {}
    ended: dict[int, Fact] = {}
    for fact in facts:
        pk = fact.payload.get("row")
        if not isinstance(pk, int):
            continue
        if fact.event_type == "document.step_requirement_added":
            added[pk] = fact
        else:
            ended[pk] = fact
    rows = {row.pk: row for row in StepRequirement.objects.all()}
    for pk in sorted(rows.keys() - added.keys()):
        yield Divergence(STEP_TABLE, str(pk), "id", None, "环节文书要求在账本中没有添加条目")
    for pk, fact in sorted(added.items()):
        row = rows.get(pk)
        if row is None:
            yield Divergence(STEP_TABLE, str(pk), "id", fact.seq, "账本记载的条目在表中不存在")
            continue
        for field, key in _STEP_FIELDS.items():
            if getattr(row, field) != fact.payload.get(key):
                said = fact.payload.get(key)
                yield Divergence(
                    STEP_TABLE, str(pk), field, fact.seq, f"与账本记载不符：账本为“{said}”"
                )
        if row.valid_from.isoformat() != fact.payload.get("valid_from"):
            said = fact.payload.get("valid_from")
            yield Divergence(
                STEP_TABLE, str(pk), "valid_from", fact.seq, f"与账本记载不符：账本为“{said}”"
            )
        end = ended.get(pk)
        want = end.payload.get("valid_to") if end is not None else None
        have = row.valid_to.isoformat() if row.valid_to is not None else None
        if have != want:
            yield Divergence(
                STEP_TABLE,
                str(pk),
                "valid_to",
                end.seq if end is not None else fact.seq,
                f"与账本记载不符：账本为“{want or '长期有效'}”",
            )


STEP_RECONCILER = Reconciler("documents.step_requirements", STEP_EVENTS, check_step_requirements)
