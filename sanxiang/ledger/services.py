"""Writes to the ledger. Every domain service calls ``append`` inside its own transaction.

``append`` writes the entry without a position. ``integrate`` (Trillian's sequencer) gives
committed entries contiguous positions in its own short transaction, under a lock only
integrators take, and stores the perfect-subtree hashes they complete. It runs after each
committing append (a per-process thread, ``background.py``), periodically from the task worker
(``tasks.py``), and always before a checkpoint or a proof.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from sanxiang.lib import merkle
from sanxiang.lib.canonical import canonical_bytes
from sanxiang.lib.errors import DomainError

from . import background, formats, keys, registry, signing, tree
from .encoding import leaf_input, timestamp_text
from .models import Checkpoint, Entry

# Key of the PostgreSQL advisory lock that integrators and checkpoint makers share.
_LOCK_KEY = 0x5358_4C45_4447  # "SXLEDG"


# The bytes hashed into the Merkle leaf (every field but the position); ``created_at`` is the
# text of ``encoding.timestamp_text``.
leaf_data = leaf_input


# Called with each entry as it is appended, inside the business transaction (the apps above
# register here, e.g. the portal drops its cached lists on commit of a master-data change).
_append_listeners: list[Callable[[Entry], None]] = []


def on_append(fn: Callable[[Entry], None]) -> Callable[[Entry], None]:
    if fn not in _append_listeners:
        _append_listeners.append(fn)
    return fn


def append(
    *,
    event_type: str,
    payload: Mapping[str, Any],
    actor: Any = None,
    agency_id: int | None = None,
    case_id: int | None = None,
) -> Entry:
    """Append one entry; must run inside the transaction of the change it records."""
    if not connection.in_atomic_block:
        raise RuntimeError("ledger.append must run inside the business transaction")
    registry.require(event_type)
    body = canonical_bytes(dict(payload))
    created = timezone.now()
    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
    actor_label = str(actor.get_username()) if actor_id else "system"
    payload_hash = hashlib.sha256(body).hexdigest()
    leaf = merkle.leaf_hash(
        leaf_input(
            created_at=timestamp_text(created),
            actor_id=actor_id,
            actor_label=actor_label,
            agency_id=agency_id,
            case_id=case_id,
            event_type=event_type,
            payload_hash=payload_hash,
        ),
        hash_name=tree.hash_name(),
    )
    entry = Entry(
        created_at=created,
        actor_id=actor_id,
        actor_label=actor_label,
        agency_id=agency_id,
        case_id=case_id,
        event_type=event_type,
        payload=body.decode("utf-8"),
        payload_hash=payload_hash,
        leaf_hash=leaf.hex(),
    )
    _insert(entry)
    if getattr(settings, "SANXIANG_LEDGER_INTEGRATE_ON_COMMIT", True):
        # Wake this process's integrator thread once the change is committed (background.py).
        transaction.on_commit(background.integrator.nudge, robust=True)
    for listener in _append_listeners:
        listener(entry)
    return entry


_COLUMNS = (
    "created_at",
    "actor_id",
    "actor_label",
    "agency_id",
    "case_id",
    "event_type",
    "payload",
    "payload_hash",
    "leaf_hash",
)
_INSERT = (
    f"INSERT INTO ledger_entry ({', '.join(_COLUMNS)}) "  # noqa: S608 - constant names
    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) RETURNING id"
)


def _insert(entry: Entry) -> None:
    """One INSERT ... RETURNING: every business transaction pays for this line, and the ORM's
    ``create`` costs about three times as much CPU (model save machinery, signals)."""
    params = [getattr(entry, column) for column in _COLUMNS]
    params[0] = connection.ops.adapt_datetimefield_value(entry.created_at)
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, params)
        row = cursor.fetchone()
    assert row is not None  # noqa: S101 - RETURNING always yields the new id
    entry.pk = row[0]
    entry._state.adding = False
    entry._state.db = connection.alias


def _take_lock(*, wait: bool) -> bool:
    """The integrators' lock, held to the end of the current transaction.

    PostgreSQL: an advisory transaction lock. SQLite: the IMMEDIATE transaction (settings)
    already holds the database's single write lock.
    """
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
        row = cursor.fetchone()
        return bool(row and row[0])


def tree_size() -> int:
    """Entries with a position (contiguous from 0, as the integrator assigns them)."""
    top = Entry.objects.aggregate(top=Max("seq"))["top"]
    return 0 if top is None else int(top) + 1


def _integrate_batch(*, batch: int, wait: bool) -> int | None:
    with transaction.atomic(durable=True):
        if not _take_lock(wait=wait):
            return None
        pending = list(
            Entry.objects.filter(seq__isnull=True)
            .order_by("id")
            .values_list("id", "leaf_hash")[:batch]
        )
        if not pending:
            return 0
        size = tree_size()
        stack = tree.frontier(size)
        _assign_positions([pk for pk, _ in pending], size)
        leaves = [bytes.fromhex(leaf) for _, leaf in pending]
        tree.insert_nodes(tree.grow(size, stack, leaves))
        return len(pending)


def _assign_positions(ids: list[int], first: int) -> None:
    """``seq = first, first + 1, ...`` for ``ids`` in order: the one UPDATE the triggers allow."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE ledger_entry AS e SET seq = w.seq "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS w(id, seq) WHERE e.id = w.id",
                [ids, list(range(first, first + len(ids)))],
            )
        else:
            cursor.executemany(
                "UPDATE ledger_entry SET seq = %s WHERE id = %s",
                [(first + i, pk) for i, pk in enumerate(ids)],
            )


def integrate(*, batch: int = 1000, wait: bool = True) -> int:
    """Give every committed unsequenced entry the next position, in id order; return how many.

    Positions come from the integrator, not from the id: an id is taken at INSERT, so a lower
    id can commit after a higher one. Whatever is committed when a batch starts is numbered;
    a later commit goes to a later batch. ``wait=False`` returns at once if another
    integrator holds the lock.
    """
    total = 0
    while True:
        done = _integrate_batch(batch=batch, wait=wait)
        if done is None:
            return total
        total += done
        if done < batch:
            return total


def try_integrate() -> bool:
    """Integrate unless another integrator holds the lock; whether it ran."""
    total = 0
    while True:
        done = _integrate_batch(batch=1000, wait=False)
        if done is None:
            return False
        total += done
        if done < 1000:
            return True


def make_checkpoint(*, only_if_grown: bool = False) -> Checkpoint:
    """Integrate, then sign the tree as it stands (``only_if_grown``: unless already signed)."""
    integrate()
    key = keys.signing_key()
    with transaction.atomic(durable=True):
        _take_lock(wait=True)
        size = tree_size()
        latest = Checkpoint.objects.order_by("-tree_size", "-id").first()
        if only_if_grown and latest is not None and latest.tree_size == size:
            return latest
        root = tree.root(size)
        now = timezone.now()
        body = signing.note_body(
            origin=keys.origin(),
            tree_size=size,
            root_hash=root,
            time_text=timestamp_text(now),
            hash_name=tree.hash_name(),
        )
        kid = signing.key_id(algorithm=key.algorithm, origin=keys.origin(), public_key=key.public)
        return Checkpoint.objects.create(
            origin=keys.origin(),
            tree_size=size,
            root_hash=root.hex(),
            hash_name=tree.hash_name(),
            created_at=now,
            algorithm=key.algorithm,
            key_id=kid.hex(),
            signature=base64.b64encode(key.sign(body.encode("utf-8"))).decode("ascii"),
        )


def _sequenced(entry_id: int) -> Entry:
    entry = Entry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise DomainError("not_found", "未找到该账本条目。")
    if entry.seq is None:
        integrate()
        entry.refresh_from_db()
    if entry.seq is None:
        raise DomainError(
            "conflict",
            "该条目尚未排入账本序列（所在事务可能尚未提交），暂不能出具存在性证明，请稍后再试。",
        )
    return entry


def prove_inclusion(entry_id: int) -> dict[str, Any]:
    """An inclusion proof of one entry against the latest checkpoint (signing one if needed)."""
    entry = _sequenced(entry_id)
    assert entry.seq is not None  # noqa: S101 - _sequenced guarantees it; for the type checker
    checkpoint = Checkpoint.objects.order_by("-tree_size", "-id").first()
    if checkpoint is None or checkpoint.tree_size <= entry.seq:
        checkpoint = make_checkpoint()
    proof = tree.inclusion_proof(entry.seq, checkpoint.tree_size)
    return {
        "entry_id": entry.pk,
        "seq": entry.seq,
        "leaf_hash": entry.leaf_hash,
        "tree_size": checkpoint.tree_size,
        "root": checkpoint.root_hash,
        "proof": [p.hex() for p in proof],
        "checkpoint": formats.checkpoint_record(checkpoint),
        "entry": formats.entry_record(entry),
        "public_key": keys.public_key_info(),
    }


def inclusion_bundle(
    *,
    entry_ids: Iterable[int] | None = None,
    case_id: int | None = None,
    checkpoint: Checkpoint | int | None = None,
) -> dict[str, Any]:
    """Entries (by id, or all of a case) with inclusion proofs against one named checkpoint.

    The checkpoint defaults to the latest. Every entry must already be covered by it: sign a
    checkpoint first (``make_checkpoint``) when exporting a case just closed.
    """
    if (entry_ids is None) == (case_id is None):
        raise ValueError("give exactly one of entry_ids and case_id")
    if isinstance(checkpoint, int):
        checkpoint = Checkpoint.objects.filter(pk=checkpoint).first()
        if checkpoint is None:
            raise DomainError("not_found", "未找到指定的签名检查点。")
    elif checkpoint is None:
        checkpoint = Checkpoint.objects.order_by("-tree_size", "-id").first()
        if checkpoint is None:
            raise DomainError("not_found", "账本尚无签名检查点，请先生成检查点。")
    rows = Entry.objects.order_by("seq", "id")
    if case_id is not None:
        rows = rows.filter(case_id=case_id)
    else:
        rows = rows.filter(pk__in=list(entry_ids or ()))
    entries = list(rows)
    for entry in entries:
        if entry.seq is None or entry.seq >= checkpoint.tree_size:
            raise DomainError(
                "conflict",
                f"账本条目 {entry.pk} 尚未纳入检查点（条目数 {checkpoint.tree_size}），"
                "请先生成新的检查点。",
            )
    size = checkpoint.tree_size
    ranges = [merkle.subtree_ranges_for_inclusion(e.seq or 0, size) for e in entries]
    flat = tree.hashes_of_ranges([r for rs in ranges for r in rs])
    records, at = [], 0
    for entry, rs in zip(entries, ranges, strict=True):
        record = formats.entry_record(entry)
        record["proof"] = [h.hex() for h in flat[at : at + len(rs)]]
        at += len(rs)
        records.append(record)
    return {
        "format": formats.INCLUSION_BUNDLE,
        "hash": checkpoint.hash_name,
        "public_key": keys.public_key_info(),
        "checkpoint": formats.checkpoint_record(checkpoint),
        "entries": records,
    }
