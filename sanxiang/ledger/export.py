"""``export_ledger``: the whole log as one JSON document, written as it streams."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import IO

from . import formats, keys, tree
from .models import Checkpoint, Entry

BUNDLE_NAME = "ledger-bundle.json"


def _write(handle: IO[str], *, chunk_size: int) -> int:
    checkpoints = [
        formats.checkpoint_record(cp)
        for cp in Checkpoint.objects.order_by("tree_size", "id").prefetch_related("cosignatures")
    ]
    head = {
        "format": formats.LEDGER_BUNDLE,
        "hash": tree.hash_name(),
        "public_key": keys.public_key_info(),
        "checkpoints": checkpoints,
    }
    text = json.dumps(head, ensure_ascii=False, indent=1)
    handle.write(text[: text.rindex("}")].rstrip() + ',\n "entries": [')
    count = 0
    rows = Entry.objects.filter(seq__isnull=False).order_by("seq")
    for entry in rows.iterator(chunk_size=chunk_size):
        handle.write(
            ("\n  " if count == 0 else ",\n  ")
            + json.dumps(formats.entry_record(entry), ensure_ascii=False)
        )
        count += 1
    handle.write("\n ]\n}\n")
    return count


def write_bundle(out: Path, *, chunk_size: int = 5000) -> int:
    """Write the bundle to ``out`` (``.json``, or ``.zip`` holding ``ledger-bundle.json``)."""
    if out.suffix == ".zip":
        with (
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
            archive.open(BUNDLE_NAME, "w", force_zip64=True) as raw,
            io.TextIOWrapper(raw, encoding="utf-8") as handle,
        ):
            return _write(handle, chunk_size=chunk_size)
    with out.open("w", encoding="utf-8") as handle:
        return _write(handle, chunk_size=chunk_size)
