"""``verify_ledger``: recompute every leaf, node and checkpoint root from the stored entries,
and (``state=True``) compare the business tables with what the entries say happened.

One streaming pass in ``seq`` order (``walk.py``: constant memory for the entries, chunks from
a server-side cursor on PostgreSQL) checks payload hashes, leaf hashes and contiguous
positions, folds the leaves into each checkpoint's root, yields every node the tree must
hold, and keeps the entries the reconcilers replay. Then each checkpoint's signature, the
consistency proof between consecutive checkpoints built from the stored nodes (RFC 9162
§2.1.4), the stored nodes against the fold, witnesses, age, and the state check.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from sanxiang.lib import merkle, tlog

from . import formats, keys, reconcile, signing, tree, walk
from .models import Checkpoint, Entry, Node


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
    divergences: list[reconcile.Divergence] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_seq(self) -> int | None:
        return min((p.seq for p in self.problems), default=None)

    def add(self, seq: int, message: str) -> None:
        self.problems.append(Problem(seq, message))


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
    entries = Entry.objects.filter(seq__isnull=False).order_by("seq")
    rows = entries.values_list("seq", "leaf_hash").iterator(chunk_size=chunk_size)
    for seq, leaf_hex in ((int(seq), leaf) for seq, leaf in rows if seq is not None):
        while index is not None and index < seq:
            index, value = next(stored, (None, b""))
        if index == seq and bytes(value).hex() != leaf_hex:
            report.add(seq, f"序号 {seq}：条目与入账时该位置的叶子不符（条目被换位或替换）")
            return


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
    *,
    chunk_size: int = 20000,
    nodes: bool = True,
    trust: Trust | None = None,
    state: bool = False,
) -> Report:
    """Check the whole ledger; the report names every problem and the first bad ``seq``.

    ``nodes``: also compare every stored subtree hash with the fold (on by default, since
    proofs handed to the public are built from those rows). ``trust``: pinned keys and a
    remembered checkpoint (see :class:`Trust`). ``state``: also run the state check
    (``reconcile``: the business tables against the replayed entries, and the triggers as
    installed); its divergences are in ``report.divergences``.
    """
    trust = trust or Trust()
    report = Report()
    checkpoints = list(Checkpoint.objects.order_by("tree_size", "id"))
    report.checkpoints = len(checkpoints)
    hash_name = tree.hash_name()
    for cp in checkpoints:
        if cp.hash_name != hash_name:
            report.add(max(cp.tree_size - 1, 0), f"检查点 #{cp.pk} 的摘要算法与配置不符")
    targets = [walk.Target(cp.tree_size, cp.root_hash, f"检查点 #{cp.pk}") for cp in checkpoints]
    trusted = _trusted_checkpoint(report, trust)
    if trusted is not None:
        targets.append(walk.Target(trusted.tree_size, trusted.root_hash, "受信任检查点"))
    wanted = reconcile.wanted_codes() if state else set()
    pass_ = walk.Walk(report, targets, hash_name, wanted)
    pass_.run(walk.chunks(chunk_size))
    report.entries = pass_.count
    if pass_.root_mismatch:
        _locate_moved_entries(report, chunk_size)
    _check_signatures(report, checkpoints, trust.log_key)
    _check_witnesses(report, checkpoints, trust)
    _check_staleness(report, checkpoints, trust)
    consistent = _check_consistency(report, checkpoints, hash_name)
    if nodes or (not consistent and not pass_.root_mismatch):
        # Roots agree with the entries but a proof from the nodes fails: name the node.
        walk.check_nodes(report, pass_)
    report.unsequenced = Entry.objects.filter(seq__isnull=True).count()
    if state:
        found = reconcile.reconcile(pass_.facts, read=pass_.count)
        report.divergences = [*reconcile.check_triggers(), *found]
    return report
