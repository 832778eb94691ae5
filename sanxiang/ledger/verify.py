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
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from sanxiang.lib import merkle, tlog

from . import formats, keys, signing, tree
from .encoding import json_str
from .models import Checkpoint, Entry, Node

_PG_SELECT = (
    "SELECT seq, payload, payload_hash, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "actor_id, actor_label, agency_id, case_id, event_type, leaf_hash "
    "FROM ledger_entry WHERE seq IS NOT NULL ORDER BY seq"
)
_SQLITE_SELECT = (
    "SELECT seq, payload, payload_hash, CAST(created_at AS TEXT), actor_id, actor_label, "
    "agency_id, case_id, event_type, leaf_hash FROM ledger_entry WHERE seq IS NOT NULL "
    "ORDER BY seq"
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


Row = tuple[int, str, str, str, int | None, str, int | None, int | None, str, str]


def _rows(chunk_size: int) -> Iterator[Row]:
    """``(seq, payload, payload_hash, t, actor, label, agency, case, event, leaf_hash)``."""
    postgres = connection.vendor == "postgresql"
    with connection.chunked_cursor() as cursor:
        cursor.execute(_PG_SELECT if postgres else _SQLITE_SELECT)
        while True:
            rows = cursor.fetchmany(chunk_size)
            if not rows:
                return
            if postgres:
                yield from rows
                continue
            for row in rows:
                yield (*row[:3], _sqlite_time(row[3]), *row[4:])


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


def _label(cp: Checkpoint) -> str:
    return "受信任检查点" if cp.pk is None else f"检查点 #{cp.pk}"


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
                    f"{_label(cp)}（条目数 {cp.tree_size}）的根摘要与条目重算结果不符："
                    f"序号 0–{cp.tree_size - 1} 之中有条目被改动、删除或换位，或检查点被伪造",
                )

    def run(self, rows: Iterator[Row]) -> None:
        """The hot loop: ``encoding.fast_leaf_input`` inlined, with the JSON form of labels
        and event types (a handful of distinct values) cached; checked equal in the tests."""
        digest, stack, report = self.digest, self.stack, self.report
        sha256 = hashlib.sha256
        quoted: dict[str, str] = {}
        self.check_checkpoints()
        for seq, payload, payload_hash, t, actor, label, agency, case, event, leaf_hex in rows:
            if seq != self.expected:
                if seq > self.expected:
                    report.add(
                        self.expected, f"序号 {self.expected}–{seq - 1} 缺失（条目被删除？）"
                    )
                else:
                    report.add(seq, f"序号 {seq} 重复")
            self.expected = seq + 1
            computed = sha256(payload.encode()).hexdigest()
            if computed != payload_hash:
                report.add(seq, f"序号 {seq}：内容与内容摘要不符（内容被改动）")
            label_json = quoted.get(label) or quoted.setdefault(label, json_str(label))
            event_json = quoted.get(event) or quoted.setdefault(event, json_str(event))
            leaf = digest(
                f'\x00{{"actor":{"null" if actor is None else actor},"actor_label":{label_json},'
                f'"agency":{"null" if agency is None else agency},'
                f'"case":{"null" if case is None else case},"event":{event_json},'
                f'"payload_sha256":"{computed}","t":"{t}"}}'.encode()
            )
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
                f"{_label(cp)} 声明 {cp.tree_size} 条，账本只有 {self.count} 条"
                f"（序号 {self.count} 起的条目缺失）",
            )


@dataclass(frozen=True)
class Trust:
    """What the verifier trusts, obtained somewhere other than this host (issue: a DBA who
    rebuilds the log can re-sign it with the key file beside the database).

    ``log_key``: the published checkpoint key (algorithm, raw public key); ``trusted``: a signed
    checkpoint note remembered earlier (from a witness, the portal, a previous audit);
    ``witnesses`` and ``quorum``: pinned witness keys and how many must cosign the latest
    checkpoint; ``max_age``: the longest an entry may stay outside any checkpoint.
    """

    log_key: tuple[str, bytes] | None = None
    trusted: str | None = None
    witnesses: tuple[tlog.CosignerKey, ...] = ()
    quorum: int = 0
    max_age: timedelta | None = None


def _check_signatures(
    report: Report, checkpoints: list[Checkpoint], pinned: tuple[str, bytes] | None
) -> None:
    if pinned is None:
        host_key = keys.signing_key()
        algorithm, public = host_key.algorithm, host_key.public
    else:
        algorithm, public = pinned
    kid = signing.key_id(algorithm=algorithm, origin=keys.origin(), public_key=public).hex()
    for cp in checkpoints:
        seq = max(cp.tree_size - 1, 0)
        if cp.key_id != kid or cp.algorithm != algorithm:
            report.add(seq, f"检查点 #{cp.pk} 的签名密钥（{cp.key_id}）不是本系统的密钥")
            continue
        body = formats.checkpoint_body(cp).encode("utf-8")
        try:
            signature = base64.b64decode(cp.signature, validate=True)
        except ValueError:
            signature = b""
        if not signing.verify(algorithm, public, body, signature):
            report.add(seq, f"检查点 #{cp.pk}（条目数 {cp.tree_size}）签名无效（伪造或挪用的签名）")


def _check_consistency(report: Report, checkpoints: list[Checkpoint], hash_name: str) -> bool:
    ok = True
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
            ok = False
            report.add(
                max(new.tree_size - 1, 0),
                f"检查点 #{old.pk}（{old.tree_size} 条）与 #{new.pk}（{new.tree_size} 条）"
                f"之间的一致性证明不成立：{err}",
            )
    return ok


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


def _stream_level(level: int, chunk_size: int) -> Iterator[tuple[int, bytes]]:
    rows = Node.objects.filter(level=level).order_by("index").values_list("index", "hash")
    for index, value in rows.iterator(chunk_size=chunk_size):
        yield index, bytes(value)


def _check_nodes(report: Report, size: int, hash_name: str, chunk_size: int) -> None:
    """Every stored node against what it must be: level 0 against the entries' leaves, each
    higher level against the hash of its two children. Proofs are built from these rows, so
    a changed node would make the platform hand out proofs that fail."""
    digest = _hasher(hash_name)
    leaves = ((row[0], bytes.fromhex(row[9])) for row in _rows(chunk_size))
    expected: Iterator[tuple[int, bytes]] = leaves
    level = 0
    while (size >> level) > 0:
        stored = _stream_level(level, chunk_size)
        width = 1 << level
        count = 0
        for (want_index, want), got in zip(expected, stored, strict=False):
            got_index, got_hash = got
            count += 1
            if got_index != want_index or got_hash != want:
                report.add(
                    want_index * width,
                    f"树节点 ({level}, {want_index})（序号 {want_index * width}–"
                    f"{(want_index + 1) * width - 1}）与条目重算结果不符（节点表被改动）",
                )
                return
        if count != size >> level:
            report.add(
                count * width, f"第 {level} 层树节点缺失：应有 {size >> level} 个，只有 {count} 个"
            )
            return
        children = _stream_level(level, chunk_size)
        expected = (
            (left[0] >> 1, digest(b"\x01" + left[1] + right[1]))
            for left, right in zip(children, children, strict=False)
        )
        level += 1


def _trusted_checkpoint(report: Report, trust: Trust) -> Checkpoint | None:
    """The remembered checkpoint as an unsaved row the walk compares like the others."""
    if trust.trusted is None:
        return None
    try:
        note = tlog.parse_note(trust.trusted)
        parsed = tlog.parse_checkpoint(note.body)
    except tlog.NoteError as err:
        report.add(0, f"受信任检查点无法读取：{err}")
        return None
    if parsed.origin != keys.origin():
        report.add(0, f"受信任检查点属于日志 {parsed.origin}，不是本日志 {keys.origin()}")
        return None
    algorithm, public = trust.log_key or (keys.signing_key().algorithm, keys.signing_key().public)
    kid = signing.key_id(algorithm=algorithm, origin=parsed.origin, public_key=public)
    signed = any(
        sig.name == parsed.origin
        and sig.key_id == kid
        and signing.verify(algorithm, public, note.body.encode(), sig.signature)
        for sig in note.signatures
    )
    if not signed:
        report.add(max(parsed.size - 1, 0), "受信任检查点没有本日志公钥的有效签名")
        return None
    return Checkpoint(tree_size=parsed.size, root_hash=parsed.root.hex())


def _check_witnesses(report: Report, checkpoints: list[Checkpoint], trust: Trust) -> None:
    if not trust.witnesses or not checkpoints:
        return
    latest = checkpoints[-1]
    body = formats.checkpoint_body(latest)
    valid = set()
    for row in latest.cosignatures.all():
        try:
            sig = tlog.parse_note(body + "\n" + row.line + "\n").signatures[0]
        except tlog.NoteError:
            continue
        for key in trust.witnesses:
            if key.timestamp_of(body, sig) is not None:
                valid.add(key.name)
    if len(valid) < trust.quorum:
        report.add(
            max(latest.tree_size - 1, 0),
            f"最新检查点 #{latest.pk}（{latest.tree_size} 条）只有 {len(valid)} 个有效见证签名，"
            f"少于要求的 {trust.quorum} 个：检查点可能被删除、回滚或未经见证",
        )


def _check_staleness(report: Report, checkpoints: list[Checkpoint], trust: Trust) -> None:
    if trust.max_age is None:
        return
    covered = checkpoints[-1].tree_size if checkpoints else 0
    oldest = (
        Entry.objects.filter(seq__gte=covered).order_by("seq").values_list("created_at", "seq")
    ).first()
    if oldest is not None and timezone.now() - oldest[0] > trust.max_age:
        report.add(
            oldest[1] or covered,
            f"序号 {oldest[1]} 起的条目超过 {trust.max_age} 仍未进入任何签名检查点"
            "（检查点缺失或被删除）",
        )


def verify_ledger(
    *, chunk_size: int = 20000, nodes: bool = True, trust: Trust | None = None
) -> Report:
    """Check the whole ledger; the report names every problem and the first bad ``seq``.

    ``nodes``: also recompute every stored subtree hash (another pass, over 2n rows; on by
    default, since proofs handed to the public are built from those rows).
    ``trust``: pinned keys and a remembered checkpoint (see :class:`Trust`).
    """
    trust = trust or Trust()
    report = Report()
    checkpoints = list(Checkpoint.objects.order_by("tree_size", "id"))
    report.checkpoints = len(checkpoints)
    hash_name = tree.hash_name()
    for cp in checkpoints:
        if cp.hash_name != hash_name:
            report.add(max(cp.tree_size - 1, 0), f"检查点 #{cp.pk} 的摘要算法与配置不符")
    trusted = _trusted_checkpoint(report, trust)
    compared = sorted([*checkpoints, *([trusted] if trusted else [])], key=lambda cp: cp.tree_size)
    walk = _Walk(report, compared, hash_name)
    walk.run(_rows(chunk_size))
    report.entries = walk.count
    if walk.root_mismatch:
        _locate_moved_entries(report, chunk_size)
    _check_signatures(report, checkpoints, trust.log_key)
    _check_witnesses(report, checkpoints, trust)
    _check_staleness(report, checkpoints, trust)
    consistent = _check_consistency(report, checkpoints, hash_name)
    if nodes or (not consistent and not walk.root_mismatch):
        # Roots agree with the entries but a proof from the nodes fails: name the node.
        _check_nodes(report, walk.count, hash_name, chunk_size)
    report.unsequenced = Entry.objects.filter(seq__isnull=True).count()
    return report
