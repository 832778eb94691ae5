"""The one streaming pass of ``verify_ledger`` over the entries, and what it feeds.

Each sequenced entry is read once, in ``seq`` order: its payload hash and leaf hash are
recomputed, its position checked, and its leaf folded into the Merkle tree with a stack of
``log2(n)`` hashes (each checkpoint's root is compared as the count reaches its size). The
same fold yields every node the tree must hold, level by level, so the stored nodes are then
compared in bulk (PostgreSQL: 4096 nodes per row, concatenated by the server) rather than
recomputed in a second pass over the entries; and the entries the state check replays are
kept as they pass (``ledger.reconcile``), so the log is read once for all three checks.

Reading is what costs besides the hashes (bench/bench_ledger.py, ``ledger_verify_state``): on
PostgreSQL a server-side cursor in binary mode inside a transaction (Django's chunked cursor
in autocommit is declared WITH HOLD, and the server then materialises the whole result before
the first row), the time as ``created_at::text`` (``to_char`` costs the server a microsecond a
row), and the next chunk fetched by a helper thread while this one is hashed (the driver waits
for the network without the GIL, so the server's work and the hashing overlap). The leaf
input is put together here from the columns, not by the server: the verifier hashes bytes it
built itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection, transaction

from sanxiang.lib import merkle

from .encoding import json_str

# (seq, payload as UTF-8 bytes, payload hash, time, actor, actor label, agency, case, event,
# leaf hash, id) as stored; the time as PostgreSQL prints a timestamptz in UTC
# ("2026-01-05 08:00:00.5+00"), or (SQLite) already as the leaf's "t".
Row = tuple[int, bytes, str, str, int | None, str, int | None, int | None, str, str, int]

_COLUMNS = (
    "seq, {payload}, payload_hash, {time}, actor_id, actor_label, agency_id, case_id, "
    "event_type, leaf_hash, id FROM ledger_entry WHERE seq IS NOT NULL ORDER BY seq"
)
# created_at::text costs the server almost nothing, to_char() a microsecond a row; the payload
# as bytea arrives as the bytes to hash (as text it would be decoded, then encoded again).
_PG_SELECT = "SELECT " + _COLUMNS.format(
    payload="convert_to(payload, 'UTF8')", time="created_at::text"
)
_SQLITE_SELECT = "SELECT " + _COLUMNS.format(payload="payload", time="CAST(created_at AS TEXT)")
_NODE_BUCKET = 4096


class Hasher(Protocol):
    def __call__(self, data: bytes, /) -> Any: ...  # an object with .digest()


def hasher(name: str) -> Hasher:
    if name == "sha256":
        return hashlib.sha256
    function = merkle._hash_function(name)

    class _Digest:
        __slots__ = ("value",)

        def __init__(self, data: bytes) -> None:
            self.value = function(data)

        def digest(self) -> bytes:
            return self.value

    return _Digest


def _sqlite_time(text: str) -> str:
    # Django keeps aware datetimes in SQLite as naive UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]".
    return f"{text[:10]}T{text[11:19]}.{text[20:26] or '000000'}Z"


def _sqlite_chunks(chunk_size: int) -> Iterator[list[Row]]:
    with connection.cursor() as cursor:
        cursor.execute(_SQLITE_SELECT)
        while rows := cursor.fetchmany(chunk_size):
            yield [
                (row[0], row[1].encode(), row[2], _sqlite_time(row[3]), *row[4:]) for row in rows
            ]


_DONE = object()


def _pg_chunks(chunk_size: int) -> Iterator[list[Row]]:
    """Chunks from a server-side cursor; the next one is fetched while this one is used."""
    chunks: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()
    # A plain server-side cursor inside a transaction: Django's chunked_cursor() in autocommit
    # declares it WITH HOLD, which makes the server materialise the whole result first.
    with transaction.atomic():
        with connection.cursor() as setup:
            setup.execute("SET LOCAL TimeZone = 'UTC'")
        raw = connection.connection
        assert raw is not None  # noqa: S101 - the cursor above connected
        cursor = raw.cursor(name="sanxiang_verify_ledger", binary=True)

        def fetch() -> None:
            try:
                cursor.itersize = chunk_size
                cursor.execute(_PG_SELECT)
                while not stop.is_set():
                    rows = cursor.fetchmany(chunk_size)
                    chunks.put(rows)
                    if not rows:
                        return
            except BaseException as err:  # handed to the consumer, raised there
                chunks.put(err)

        thread = threading.Thread(target=fetch, name="verify-ledger-fetch", daemon=True)
        thread.start()
        try:
            while True:
                item = chunks.get()
                if isinstance(item, BaseException):
                    raise item
                if not item:
                    return
                yield item
        finally:
            stop.set()
            while thread.is_alive():  # unblock a producer waiting on a full queue
                with contextlib.suppress(queue.Empty):
                    chunks.get(timeout=0.05)
            cursor.close()


def chunks(chunk_size: int) -> Iterator[list[Row]]:
    if connection.vendor == "postgresql":
        return _pg_chunks(chunk_size)
    return _sqlite_chunks(chunk_size)


# An entry the state check replays, as the pass read it: (id, seq, case, event, payload JSON,
# as UTF-8 bytes or text).
RawFact = tuple[int, int | None, int | None, str, bytes | str]


class Sink(Protocol):
    def add(self, seq: int, message: str) -> None: ...


@dataclass
class Target:
    """A root to compare as the fold reaches ``tree_size`` (a checkpoint or a trusted one)."""

    tree_size: int
    root_hash: str
    label: str


class Walk:
    """The streaming pass: state kept between rows (see the module docstring)."""

    def __init__(
        self, report: Sink, targets: Sequence[Target], hash_name: str, wanted: set[str]
    ) -> None:
        self.report = report
        self.pending = sorted(targets, key=lambda t: t.tree_size)
        self.new = hasher(hash_name)
        self.stack: list[bytes] = []
        self.levels: list[bytearray] = [bytearray()]
        self.count = 0
        self.expected = 0
        self.root_mismatch = False
        self.wanted = wanted
        self.facts: list[RawFact] = []

    def root(self) -> bytes:
        new = self.new
        if not self.stack:
            return bytes(new(b"").digest())
        result = self.stack[-1]
        for value in reversed(self.stack[:-1]):
            result = new(b"\x01" + value + result).digest()
        return bytes(result)

    def check_targets(self) -> None:
        while self.pending and self.pending[0].tree_size <= self.count:
            target = self.pending.pop(0)
            if target.tree_size < self.count:
                continue
            if self.root().hex() != target.root_hash:
                self.root_mismatch = True
                self.report.add(
                    max(target.tree_size - 1, 0),
                    f"{target.label}（条目数 {target.tree_size}）的根摘要与条目重算结果不符："
                    f"序号 0–{target.tree_size - 1} 之中有条目被改动、删除或换位，或检查点被伪造",
                )

    def run(self, source: Iterator[list[Row]]) -> None:
        """The hot loop, flat on purpose: ``encoding.fast_leaf_input`` inlined, with the JSON
        form of labels and event types (a handful of distinct values) cached; the result is
        checked equal to ``encoding.leaf_input`` in the tests."""
        new, stack, levels, report = self.new, self.stack, self.levels, self.report
        wanted, facts = self.wanted, self.facts
        sha256 = hashlib.sha256
        quoted: dict[str, str] = {}
        level0 = levels[0]
        count, expected = self.count, self.expected
        self.check_targets()
        next_target = self.pending[0].tree_size if self.pending else -1
        for rows in source:
            for row in rows:
                seq, payload, payload_hash, t, actor, label, agency, case, event, leaf_hex, pk = row
                if seq != expected:
                    if seq > expected:
                        report.add(expected, f"序号 {expected}–{seq - 1} 缺失（条目被删除？）")
                    else:
                        report.add(seq, f"序号 {seq} 重复")
                expected = seq + 1
                computed = sha256(payload).hexdigest()
                if computed != payload_hash:
                    report.add(seq, f"序号 {seq}：内容与内容摘要不符（内容被改动）")
                if t[-1] != "Z":  # PostgreSQL, UTC: "2026-01-05 08:00:00[.5]+00"
                    fraction = t[20:-3] if t[19] == "." else ""
                    t = f"{t[:10]}T{t[11:19]}.{fraction:0<6}Z"
                label_json = quoted.get(label) or quoted.setdefault(label, json_str(label))
                event_json = quoted.get(event) or quoted.setdefault(event, json_str(event))
                leaf = new(
                    f'\x00{{"actor":{"null" if actor is None else actor},'
                    f'"actor_label":{label_json},"agency":{"null" if agency is None else agency},'
                    f'"case":{"null" if case is None else case},"event":{event_json},'
                    f'"payload_sha256":"{computed}","t":"{t}"}}'.encode()
                ).digest()
                if leaf.hex() != leaf_hex:
                    report.add(seq, f"序号 {seq}：叶子摘要与条目字段不符（条目被改动）")
                if event in wanted:
                    facts.append((pk, seq, case, event, payload))
                level0 += leaf
                count += 1
                value, merges, level = leaf, count, 0
                while not merges & 1:
                    value = new(b"\x01" + stack.pop() + value).digest()
                    merges >>= 1
                    level += 1
                    if level == len(levels):
                        levels.append(bytearray())
                    levels[level] += value
                stack.append(value)
                if count == next_target:
                    self.count, self.expected = count, expected
                    self.check_targets()
                    next_target = self.pending[0].tree_size if self.pending else -1
        self.count, self.expected = count, expected
        self.check_targets()
        for target in self.pending:
            report.add(
                count,
                f"{target.label} 声明 {target.tree_size} 条，账本只有 {count} 条"
                f"（序号 {count} 起的条目缺失）",
            )


# --- the stored nodes against the fold ------------------------------------------------------

Bucket = tuple[int, int, int, int, bytes]  # level, first index, last index, count, hashes


def _pg_buckets(size: int) -> Iterator[Bucket]:
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT level, min("index"), max("index"), count(*), '
            "string_agg(hash, ''::bytea ORDER BY \"index\") FROM ledger_node "
            'WHERE "index" < (%s::bigint >> level) '
            'GROUP BY level, "index" / %s ORDER BY level, min("index")',
            [size, _NODE_BUCKET],
        )
        for level, lo, hi, count, blob in cursor.fetchall():
            yield level, lo, hi, count, bytes(blob)


def _rows_of_level(level: int, lo: int, hi: int) -> list[tuple[int, bytes]]:
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT "index", hash FROM ledger_node WHERE level = %s AND "index" >= %s '
            'AND "index" < %s ORDER BY "index"',
            [level, lo, hi],
        )
        return [(index, bytes(value)) for index, value in cursor.fetchall()]


def _sqlite_buckets(size: int) -> Iterator[Bucket]:
    level = 0
    while size >> level:
        rows = _rows_of_level(level, 0, size >> level)
        for start in range(0, len(rows), _NODE_BUCKET):
            part = rows[start : start + _NODE_BUCKET]
            blob = b"".join(value for _, value in part)
            yield level, part[0][0], part[-1][0], len(part), blob
        level += 1


def check_nodes(report: Sink, walk: Walk) -> None:
    """Every stored node (level, index) against the hash the fold computed for it; the first
    changed, missing or misplaced one is named (by its first sequence number)."""
    size = walk.count
    buckets = _pg_buckets(size) if connection.vendor == "postgresql" else _sqlite_buckets(size)
    seen = [0] * len(walk.levels)
    for level, lo, hi, count, blob in buckets:
        want = walk.levels[level]
        expected = want[lo * 32 : (hi + 1) * 32]
        if lo != seen[level] or count != hi - lo + 1 or blob != expected:
            _name_node(report, walk, level, seen[level], hi + 1)
            return
        seen[level] = hi + 1
    for level, want in enumerate(walk.levels):
        if seen[level] != len(want) // 32:
            width = 1 << level
            report.add(
                seen[level] * width,
                f"第 {level} 层树节点缺失：应有 {len(want) // 32} 个，只有 {seen[level]} 个",
            )
            return


def _name_node(report: Sink, walk: Walk, level: int, lo: int, hi: int) -> None:
    want, width = walk.levels[level], 1 << level
    stored = _rows_of_level(level, lo, hi)
    for offset, want_index in enumerate(range(lo, hi)):
        got = stored[offset] if offset < len(stored) else None
        hash_ = want[want_index * 32 : (want_index + 1) * 32]
        if got is None or got[0] != want_index or got[1] != hash_:
            report.add(
                want_index * width,
                f"树节点 ({level}, {want_index})（序号 {want_index * width}–"
                f"{(want_index + 1) * width - 1}）与条目重算结果不符（节点表被改动）",
            )
            return
