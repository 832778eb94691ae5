"""The Merkle tree in the database: stored perfect-subtree hashes and proofs from them.

Node (level k, index i) holds MTH of leaves [i * 2**k, (i + 1) * 2**k). Every range a proof
or a root needs is a node of the RFC 9162 tree, and ``merkle.range_hash`` splits it into at
most ``log2(n) + 1`` perfect subtrees; all the subtrees a proof needs are fetched in ONE
query, so a proof over ten million entries costs one indexed read of ~2·log2(n) rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connection

from sanxiang.lib import merkle

from .models import Node

Position = tuple[int, int]  # (level, index)
NodeRow = tuple[int, int, bytes]  # (level, index, hash)


def hash_name() -> str:
    return str(settings.SANXIANG_HASH)


class MissingNode(Exception):
    """A node the tree should have is not stored (the integrator has not covered it yet)."""


def _position(start: int, size: int) -> Position:
    level = size.bit_length() - 1
    return level, start >> level


def _perfect_positions(ranges: Iterable[tuple[int, int]]) -> set[Position]:
    wanted: set[Position] = set()
    for start, end in ranges:
        for lo, hi in merkle.root_ranges(end - start):
            wanted.add(_position(start + lo, hi - lo))
    return wanted


def read_nodes(positions: Iterable[Position]) -> dict[Position, bytes]:
    """The stored hashes at ``positions``, in one query."""
    wanted = sorted(set(positions))
    if not wanted:
        return {}
    table = Node._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A join on two arrays: one index probe per position, one plan however many.
            cursor.execute(
                f'SELECT n.level, n."index", n.hash FROM {table} n '  # noqa: S608 - constant
                'JOIN unnest(%s::smallint[], %s::bigint[]) AS w(level, "index") '
                'ON n.level = w.level AND n."index" = w."index"',
                [[level for level, _ in wanted], [index for _, index in wanted]],
            )
        else:
            values = ", ".join(["(%s, %s)"] * len(wanted))
            cursor.execute(
                f'SELECT level, "index", hash FROM {table} '  # noqa: S608 - placeholders only
                f'WHERE (level, "index") IN (VALUES {values})',
                [n for position in wanted for n in position],
            )
        rows = cursor.fetchall()
    return {(level, index): bytes(value) for level, index, value in rows}


def hashes_of_ranges(ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """MTH of each leaf range (each a node of the tree), from stored nodes."""
    nodes = read_nodes(_perfect_positions(ranges))

    def get_perfect(start: int, size: int) -> bytes:
        try:
            return nodes[_position(start, size)]
        except KeyError:
            level, index = _position(start, size)
            raise MissingNode(f"node ({level}, {index}) is not stored") from None

    return [merkle.range_hash(s, e, get_perfect, hash_name=hash_name()) for s, e in ranges]


def root(tree_size: int) -> bytes:
    """MTH of the first ``tree_size`` leaves."""
    if tree_size == 0:
        return merkle.hash_bytes(b"", hash_name=hash_name())
    return hashes_of_ranges([(0, tree_size)])[0]


def inclusion_proof(index: int, tree_size: int) -> list[bytes]:
    return hashes_of_ranges(merkle.subtree_ranges_for_inclusion(index, tree_size))


def consistency_proof(old_size: int, new_size: int) -> list[bytes]:
    return hashes_of_ranges(merkle.subtree_ranges_for_consistency(old_size, new_size))


def frontier(tree_size: int) -> list[bytes]:
    """Hashes of the perfect subtrees of ``root_ranges(tree_size)``, left to right."""
    ranges = merkle.root_ranges(tree_size)
    nodes = read_nodes(_position(s, e - s) for s, e in ranges)
    return [nodes[_position(s, e - s)] for s, e in ranges]


def grow(tree_size: int, stack: list[bytes], leaves: Sequence[bytes]) -> list[NodeRow]:
    """Append ``leaves`` at positions ``tree_size...``; return the nodes they complete.

    ``stack`` is ``frontier(tree_size)`` and is updated in place, as in ``merkle._fold``:
    leaf number ``count`` (from 1) closes as many subtrees as ``count`` has trailing zeros.
    """
    prefix = b"\x01"
    name = hash_name()
    new: list[NodeRow] = []
    for offset, leaf in enumerate(leaves):
        position = tree_size + offset
        new.append((0, position, leaf))
        value, count, level = leaf, position + 1, 0
        while not count & 1:
            value = merkle.hash_bytes(prefix + stack.pop() + value, hash_name=name)
            count >>= 1
            level += 1
            new.append((level, position >> level, value))
        stack.append(value)
    return new


def insert_nodes(rows: Sequence[NodeRow]) -> None:
    """Insert node rows in one statement (PostgreSQL) or one executemany (SQLite)."""
    if not rows:
        return
    table = Node._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f'INSERT INTO {table} (level, "index", hash) '  # noqa: S608 - constant
                "SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[])",
                [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
            )
        else:
            cursor.executemany(
                f'INSERT INTO {table} (level, "index", hash) VALUES (%s, %s, %s)',  # noqa: S608
                list(rows),
            )
