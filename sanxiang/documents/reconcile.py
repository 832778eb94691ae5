"""The documents' side of ``verify_ledger``'s state check (``ledger.reconcile``).

Every ``document.issued`` entry names the document row and the hashes of its content, PDF and
DOCX; the row must carry the same hashes and the stored files must still hash to them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from django.core.files.storage import default_storage

from sanxiang.ledger.reconcile import Divergence, Fact, Reconciler

from .models import IssuedDocument

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
