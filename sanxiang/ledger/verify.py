"""``verify_ledger``: recompute every leaf and every checkpoint root from the stored entries.

One streaming pass in ``seq`` order (a server-side cursor on PostgreSQL, ``chunk_size`` rows
at a time, constant memory): payload hash, leaf hash, contiguous positions, and the Merkle
root folded leaf by leaf with a stack of ``log2(n)`` hashes, compared with each checkpoint as
the count reaches its size. Then each checkpoint's signature, and the consistency proof
between consecutive checkpoints built from the stored nodes (RFC 9162 §2.1.4).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from sanxiang.lib import merkle

from . import formats, keys, signing, tree
from .encoding import fast_leaf_input
from .models import Checkpoint, Entry, Node

_PG_SELECT = (
    "SELECT seq, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "actor_id, actor_label, agency_id, case_id, event_type, payload, payload_hash, leaf_hash "
    "FROM ledger_entry WHERE seq IS NOT NULL ORDER BY seq"
)
_SQLITE_SELECT = (
    "SELECT seq, CAST(created_at AS TEXT), actor_id, actor_label, agency_id, case_id, event_type, "
    "payload, "
    "payload_hash, leaf_hash FROM ledger_entry WHERE seq IS NOT NULL ORDER BY seq"
)


@dataclass(frozen=True)
class Problem:
    seq: int
    message: str


@dataclass
class Report:
    entries: int = 0
    checkpoints: int = 0
    unsequenced: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_seq(self) -> int | None:
        return min((p.seq for p in self.problems), default=None)

    def add(self, seq: int, message: str) -> None:
        self.problems.append(Problem(seq, message))


def _sqlite_time(text: str) -> str:
    # Django keeps aware datetimes in SQLite as naive UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]".
    return f"{text[:10]}T{text[11:19]}.{text[20:26] or '000000'}Z"


def _rows(chunk_size: int) -> Iterator[tuple[Any, ...]]:
    postgres = connection.vendor == "postgresql"
    with connection.chunked_cursor() as cursor:
        cursor.execute(_PG_SELECT if postgres else _SQLITE_SELECT)
        while True:
            rows = cursor.fetchmany(chunk_size)
            if not rows:
                return
            if postgres:
                yield from rows
            else:
                for row in rows:
                    yield (row[0], _sqlite_time(row[1]), *row[2:])


def _hasher(name: str) -> Callable[[bytes], bytes]:
    if name == "sha256":
        return lambda data: hashlib.sha256(data).digest()
    return lambda data: merkle.hash_bytes(data, hash_name=name)


def _fold_root(stack: list[bytes], digest: Callable[[bytes], bytes]) -> bytes:
    if not stack:
        return digest(b"")
    result = stack[-1]
    for value in reversed(stack[:-1]):
        result = digest(b"\x01" + value + result)
    return result


class _Walk:
    """The streaming pass: state kept between rows."""

    def __init__(self, report: Report, checkpoints: list[Checkpoint], hash_name: str) -> None:
        self.report = report
        self.pending = list(checkpoints)
        self.digest = _hasher(hash_name)
        self.stack: list[bytes] = []
        self.count = 0
        self.expected = 0
        self.root_mismatch = False

    def check_checkpoints(self) -> None:
        while self.pending and self.pending[0].tree_size <= self.count:
            cp = self.pending.pop(0)
            if cp.tree_size < self.count:
                continue  # out of order in the list: handled by the caller's ordering
            root = _fold_root(self.stack, self.digest)
            if not hmac.compare_digest(root.hex(), cp.root_hash):
                self.root_mismatch = True
                self.report.add(
                    max(cp.tree_size - 1, 0),
                    f"检查点 #{cp.pk}（条目数 {cp.tree_size}）的根摘要与条目重算结果不符："
                    f"序号 0–{cp.tree_size - 1} 之中有条目被改动、删除或换位，或检查点被伪造",
                )

    def run(self, rows: Iterator[tuple[Any, ...]]) -> None:
        digest, stack, report = self.digest, self.stack, self.report
        sha256 = hashlib.sha256
        self.check_checkpoints()
        for seq, t, actor, label, agency, case, event, payload, payload_hash, leaf_hex in rows:
            if seq != self.expected:
                if seq > self.expected:
                    report.add(
                        self.expected, f"序号 {self.expected}–{seq - 1} 缺失（条目被删除？）"
                    )
                else:
                    report.add(seq, f"序号 {seq} 重复")
            self.expected = seq + 1
            computed = sha256(payload.encode("utf-8")).hexdigest()
            if computed != payload_hash:
                report.add(seq, f"序号 {seq}：内容与内容摘要不符（内容被改动）")
            leaf = digest(b"\x00" + fast_leaf_input(t, actor, label, agency, case, event, computed))
            if leaf.hex() != leaf_hex:
                report.add(seq, f"序号 {seq}：叶子摘要与条目字段不符（条目被改动）")
            value, merges = leaf, self.count + 1
            while not merges & 1:
                value = digest(b"\x01" + stack.pop() + value)
                merges >>= 1
            stack.append(value)
            self.count += 1
            if self.pending and self.pending[0].tree_size <= self.count:
                self.check_checkpoints()
        for cp in self.pending:
            report.add(
                self.count,
                f"检查点 #{cp.pk} 声明 {cp.tree_size} 条，账本只有 {self.count} 条"
                f"（序号 {self.count} 起的条目缺失）",
            )


def _check_signatures(report: Report, checkpoints: list[Checkpoint]) -> None:
    key = keys.signing_key()
    info = keys.public_key_info(key)
    for cp in checkpoints:
        seq = max(cp.tree_size - 1, 0)
        if cp.key_id != info["key_id"] or cp.algorithm != key.algorithm:
            report.add(seq, f"检查点 #{cp.pk} 的签名密钥（{cp.key_id}）不是本系统的密钥")
            continue
        body = formats.checkpoint_body(cp).encode("utf-8")
        try:
            signature = base64.b64decode(cp.signature, validate=True)
        except ValueError:
            signature = b""
        if not signing.verify(key.algorithm, key.public, body, signature):
            report.add(seq, f"检查点 #{cp.pk}（条目数 {cp.tree_size}）签名无效（伪造或挪用的签名）")


def _check_consistency(report: Report, checkpoints: list[Checkpoint], hash_name: str) -> None:
    for old, new in itertools.pairwise(checkpoints):
        try:
            proof = tree.consistency_proof(old.tree_size, new.tree_size)
            merkle.verify_consistency(
                old.tree_size,
                new.tree_size,
                proof,
                bytes.fromhex(old.root_hash),
                bytes.fromhex(new.root_hash),
                hash_name=hash_name,
            )
        except (merkle.ProofError, tree.MissingNode, ValueError) as err:
            report.add(
                max(new.tree_size - 1, 0),
                f"检查点 #{old.pk}（{old.tree_size} 条）与 #{new.pk}（{new.tree_size} 条）"
                f"之间的一致性证明不成立：{err}",
            )


def _locate_moved_entries(report: Report, chunk_size: int) -> None:
    """After a root mismatch: name the first position whose entry differs from the leaf the
    integrator stored there (an entry moved or replaced while its own hashes still agree)."""
    nodes = Node.objects.filter(level=0).order_by("index").values_list("index", "hash")
    stored = iter(nodes.iterator(chunk_size=chunk_size))
    index, value = next(stored, (None, b""))
    for row in _rows(chunk_size):
        seq, leaf_hex = row[0], row[9]
        while index is not None and index < seq:
            index, value = next(stored, (None, b""))
        if index == seq and bytes(value).hex() != leaf_hex:
            report.add(seq, f"序号 {seq}：条目与入账时该位置的叶子不符（条目被换位或替换）")
            return


def verify_ledger(*, chunk_size: int = 20000) -> Report:
    """Check the whole ledger; the report names every problem and the first bad ``seq``."""
    report = Report()
    checkpoints = list(Checkpoint.objects.order_by("tree_size", "id"))
    report.checkpoints = len(checkpoints)
    hash_name = tree.hash_name()
    for cp in checkpoints:
        if cp.hash_name != hash_name:
            report.add(max(cp.tree_size - 1, 0), f"检查点 #{cp.pk} 的摘要算法与配置不符")
    walk = _Walk(report, checkpoints, hash_name)
    walk.run(_rows(chunk_size))
    report.entries = walk.count
    if walk.root_mismatch:
        _locate_moved_entries(report, chunk_size)
    _check_signatures(report, checkpoints)
    _check_consistency(report, checkpoints, hash_name)
    report.unsequenced = Entry.objects.filter(seq__isnull=True).count()
    return report
