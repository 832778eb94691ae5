"""Draft snapshots: what was reviewed is what is issued (行政处罚法 第58条).

A snapshot is the canonical JSON of a decision draft: every concrete field of ``DecisionDraft``
(but its bookkeeping: id, case, revision, fingerprint, updated_at), every field of each party,
and whatever the registered *sections* add (an app with more draft data, e.g. several penalty
kinds or provisions in rows of their own, or a licence's terms, registers a section rather than
editing this file; a section that returns ``None`` adds no key, so drafts without that data keep
their hashes).
Its SHA-256 is the snapshot's address. ``save_draft`` stores one per save and ledgers its hash;
the review reviews a hash; the decision records the hash; documents render from the payload.

Format (``format: 1``)::

    {"format": 1, "case_id": 7, "case_number": "…", "draft": {<field>: <value>, …},
     "parties": [{<field>: <value>, …}, …], <section>: <value>, …}

Decimals are written with their field's decimal places, dates ISO 8601, so the hash of the
same content never depends on how a value was typed in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from sanxiang.lib.canonical import canonical_bytes

from .models import Case, DecisionDraft, DraftSnapshot, Party

FORMAT = 1
_DRAFT_BOOKKEEPING = {"id", "case", "revision", "fingerprint", "updated_at"}
# ``added_at`` is bookkeeping too: when a party was entered is no part of what was decided.
_PARTY_BOOKKEEPING = {"id", "case", "added_at"}

# name -> function(draft) returning a JSON-able value; added to every snapshot payload.
Section = Callable[[DecisionDraft], Any]
_SECTIONS: dict[str, Section] = {}


def register_section(name: str, build: Section) -> None:
    """Add ``name`` to every snapshot payload (call from an AppConfig.ready)."""
    if name in {"format", "case_id", "case_number", "draft", "parties"}:
        raise ValueError(f"{name!r} is a core key of the snapshot payload")
    _SECTIONS[name] = build


def _value(field: models.Field[Any, Any], value: Any) -> Any:
    if isinstance(field, models.DecimalField) and value is not None:
        places = Decimal(1).scaleb(-(field.decimal_places or 0))
        return format(Decimal(value).quantize(places), "f")
    return value


# Fields added to the draft after format 1: in the payload only when set, so a draft saved
# (and reviewed) before they existed keeps its hash.
_LATER_FIELDS = {"penalty_kinds"}


def _fields(instance: models.Model, skip: set[str]) -> dict[str, Any]:
    return {
        f.attname: _value(f, getattr(instance, f.attname))
        for f in type(instance)._meta.concrete_fields
        if f.name not in skip and not (f.name in _LATER_FIELDS and not getattr(instance, f.attname))
    }


def _party_fields() -> list[models.Field[Any, Any]]:
    return [f for f in Party._meta.concrete_fields if f.name not in _PARTY_BOOKKEEPING]


def _parties(case_id: int) -> list[dict[str, Any]]:
    """Each party's fields as ``_fields`` gives them, read as value rows: a draft save pays
    for this read, and building Party instances costs more than the query."""
    fields = _party_fields()
    rows = (
        Party.objects.filter(case_id=case_id)
        .order_by("pk")
        .values_list(*(f.attname for f in fields))
    )
    return [
        {
            f.attname: _value(f, value)
            for f, value in zip(fields, row, strict=True)
            if not (f.name in _LATER_FIELDS and not value)
        }
        for row in rows
    ]


def payload_of(draft: DecisionDraft) -> dict[str, Any]:
    """The snapshot payload of ``draft`` and its case's parties as they are now."""
    case: Case = draft.case
    payload: dict[str, Any] = {
        "format": FORMAT,
        "case_id": case.pk,
        "case_number": case.number,
        "draft": _fields(draft, _DRAFT_BOOKKEEPING),
        "parties": _parties(case.pk),
    }
    for name, build in sorted(_SECTIONS.items()):
        value = build(draft)
        if value is not None:  # nothing to add: the key stays out, and the hash as it was
            payload[name] = value
    return payload


def canonical(payload: dict[str, Any]) -> bytes:
    return canonical_bytes(payload)


def hash_of(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


_INSERT = (
    "INSERT INTO cases_draftsnapshot (hash, case_id, revision, payload, created_at) "
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (hash) DO NOTHING"
)


def take(draft: DecisionDraft) -> DraftSnapshot:
    """Store the draft's current content (in the caller's transaction) and return its snapshot.

    Content-addressed: saving the same content again finds the existing snapshot.
    """
    body = canonical(payload_of(draft))
    digest = hashlib.sha256(body).hexdigest()
    snapshot = DraftSnapshot(
        hash=digest,
        case=draft.case,
        revision=draft.revision,
        payload=body.decode(),
        created_at=timezone.now(),
    )
    # One INSERT … ON CONFLICT (hash) DO NOTHING (SQLite ≥ 3.24 and PostgreSQL): the same
    # content saved again is simply already there, its payload the same bytes by the hash.
    # Written as SQL because every draft save pays for it, and the ORM's bulk_create spends
    # more CPU compiling the statement than the database spends running it. The returned
    # object's ``hash`` is what callers use.
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT,
            [
                digest,
                draft.case_id,
                draft.revision,
                snapshot.payload,
                connection.ops.adapt_datetimefield_value(snapshot.created_at),
            ],
        )
    return snapshot


def current_hash(draft: DecisionDraft) -> str:
    """The hash the draft would have if snapshotted now (parties edited since show here)."""
    return hash_of(payload_of(draft))


def find(digest: str) -> DraftSnapshot | None:
    return DraftSnapshot.objects.filter(hash=digest).first() if digest else None


def data_of(snapshot: DraftSnapshot) -> dict[str, Any]:
    """The payload of a stored snapshot; its hash is rechecked (a tampered row is refused)."""
    if hashlib.sha256(snapshot.payload.encode("utf-8")).hexdigest() != snapshot.hash:
        raise SnapshotTampered(snapshot.hash)
    data: dict[str, Any] = json.loads(snapshot.payload)
    return data


def document_snapshot(case: Case) -> DraftSnapshot | None:
    """The snapshot a document of ``case`` renders from: the decided one once decided, else
    the latest saved; ``None`` without a draft."""
    digest = case.decided_snapshot
    if not digest:
        draft = DecisionDraft.objects.filter(case=case).only("fingerprint").first()
        digest = draft.fingerprint if draft is not None else ""
    return find(digest)


def for_documents(case: Case) -> dict[str, Any] | None:
    """The payload of ``document_snapshot(case)`` (hash rechecked), or ``None``."""
    snapshot = document_snapshot(case)
    return data_of(snapshot) if snapshot is not None else None


class SnapshotTampered(Exception):
    """A stored snapshot whose payload no longer hashes to its address."""
