"""Tests of sanxiang.lib.merkle (RFC 9162 §2.1 Merkle trees).

Known answers come from transparency-dev/merkle (the Go library behind Trillian and
certificate-transparency-go); each block cites the file and commit it was copied from.
Everything else is checked against an independent implementation (pymerkle), a literal
recursive transcription of the RFC's definitions written here, and exhaustive or
hypothesis-driven properties.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
from collections.abc import Callable, Sequence
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanxiang.lib import merkle
from sanxiang.lib.merkle import (
    DIGEST_SIZE,
    ProofError,
    consistency_proof,
    hash_bytes,
    inclusion_proof,
    leaf_hash,
    node_hash,
    range_hash,
    root_from_perfect_subtrees,
    root_hash,
    root_ranges,
    subtree_ranges_for_consistency,
    subtree_ranges_for_inclusion,
    verify_consistency,
    verify_inclusion,
)

Range = tuple[int, int]
FAST = settings(max_examples=150, deadline=None, database=None)


def h(hex_digest: str) -> bytes:
    return bytes.fromhex(hex_digest)


# --- known answers --------------------------------------------------------------------------
# Copied from transparency-dev/merkle testonly/constants.go
# (commit 582a6ad190b6848f1d26f8bf08ddef29955d9db1): LeafInputs, NodeHashes, RootHashes,
# CompactTrees. NODE_HASHES[level][j] is the hash of leaves [j * 2**level, (j+1) * 2**level).

LEAF_INPUTS = [
    h(""),
    h("00"),
    h("10"),
    h("2021"),
    h("3031"),
    h("40414243"),
    h("5051525354555657"),
    h("606162636465666768696a6b6c6d6e6f"),
]

NODE_HASHES = [
    [
        h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        h("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
        h("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
        h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        h("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
        h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        h("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
    ],
    [
        h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
        h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
    ],
    [
        h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
    ],
    [
        h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
    ],
]

EMPTY_ROOT = h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

ROOTS = [  # indexed by tree size, 0..8
    EMPTY_ROOT,
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]

# CompactTrees(): the perfect-subtree hashes of each tree size, as (level, index) of NodeHashes.
COMPACT_TREES = [
    [],
    [(0, 0)],
    [(1, 0)],
    [(1, 0), (0, 2)],
    [(2, 0)],
    [(2, 0), (0, 4)],
    [(2, 0), (1, 2)],
    [(2, 0), (1, 2), (0, 6)],
    [(3, 0)],
]

# Copied from transparency-dev/merkle proof/verify_test.go
# (commit 02194e9afb6c1d95b5381350007963aa70fff472): inclusionProofs and consistencyProofs.
# The Go file numbers leaves from 1 in inclusionProofs ({leaf, size, proof}); the index
# below is already 0-based (Go's `p.leaf - 1`). Its {0, 0, nil} entry is documented there as
# an invalid path and left out.
INCLUSION_VECTORS: list[tuple[int, int, list[bytes]]] = [
    (0, 1, []),
    (
        0,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        5,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (2, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        1,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]

CONSISTENCY_VECTORS: list[tuple[int, int, list[bytes]]] = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]

# From the same file: sha256SomeHash, a 32-byte value that is no node of the tree.
SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")

# Proof shapes copied from transparency-dev/merkle proof/proof_test.go
# (commit 02a3e2029520f515596d5238c54fb0ac9e19bff4), TestInclusion and TestConsistency.
# Go's id(level, index) is the node over leaves [index << level, (index + 1) << level);
# rehash(begin, end, ...) means the ids at positions begin..end-1 are hashed into one
# proof element, whose range is their union. Entries: (size or (size1, size2), ids, rehash).
NodeIds = list[tuple[int, int]]
GO_INCLUSION_SHAPES: list[tuple[int, int, NodeIds, tuple[int, int] | None]] = [
    (1, 0, [], None),
    (2, 0, [(0, 1)], None),
    (2, 1, [(0, 0)], None),
    (3, 1, [(0, 0), (0, 2)], None),
    (7, 0, [(0, 1), (1, 1), (0, 6), (1, 2)], (2, 4)),
    (7, 1, [(0, 0), (1, 1), (0, 6), (1, 2)], (2, 4)),
    (7, 2, [(0, 3), (1, 0), (0, 6), (1, 2)], (2, 4)),
    (7, 3, [(0, 2), (1, 0), (0, 6), (1, 2)], (2, 4)),
    (7, 4, [(0, 5), (0, 6), (2, 0)], None),
    (7, 5, [(0, 4), (0, 6), (2, 0)], None),
    (7, 6, [(1, 2), (2, 0)], None),
    (4, 2, [(0, 3), (1, 0)], None),
    (5, 3, [(0, 2), (1, 0), (0, 4)], None),
    (6, 3, [(0, 2), (1, 0), (1, 2)], None),
    (6, 4, [(0, 5), (2, 0)], None),
    (15, 10, [(0, 11), (1, 4), (0, 14), (1, 6), (3, 0)], (2, 4)),
    (31, 24, [(0, 25), (1, 13), (0, 30), (1, 14), (3, 2), (4, 0)], (2, 4)),
    (
        95,
        81,
        [(0, 80), (1, 41), (2, 21), (0, 94), (1, 46), (2, 22), (4, 4), (6, 0)],
        (3, 6),
    ),
]
GO_INCLUSION_ERRORS = [(0, 0), (0, 1), (1, 2), (0, 3), (7, 8)]  # (size, index)

GO_CONSISTENCY_SHAPES: list[tuple[int, int, NodeIds, tuple[int, int] | None]] = [
    (1, 2, [(0, 1)], None),
    (1, 4, [(0, 1), (1, 1)], None),
    (1, 6, [(0, 1), (1, 1), (1, 2)], None),
    (2, 3, [(0, 2)], None),
    (2, 8, [(1, 1), (2, 1)], None),
    (3, 7, [(0, 2), (0, 3), (1, 0), (0, 6), (1, 2)], (3, 5)),
    (4, 7, [(0, 6), (1, 2)], (0, 2)),
    (5, 7, [(0, 4), (0, 5), (0, 6), (2, 0)], None),
    (6, 7, [(1, 2), (0, 6), (2, 0)], None),
    (7, 8, [(0, 6), (0, 7), (1, 2), (2, 0)], None),
    (1, 1, [], None),
    (2, 2, [], None),
    (3, 3, [], None),
    (4, 4, [], None),
    (5, 5, [], None),
    (7, 7, [], None),
    (8, 8, [], None),
    (2, 4, [(1, 1)], None),
    (3, 5, [(0, 2), (0, 3), (1, 0), (0, 4)], None),
    (3, 6, [(0, 2), (0, 3), (1, 0), (1, 2)], None),
    (4, 6, [(1, 2)], None),
    (1, 7, [(0, 1), (1, 1), (0, 6), (1, 2)], (2, 4)),
    (10, 15, [(1, 4), (1, 5), (0, 14), (1, 6), (3, 0)], (2, 4)),
    (24, 31, [(3, 2), (0, 30), (1, 14), (2, 6), (4, 0)], (1, 4)),
    (
        81,
        95,
        [(0, 80), (0, 81), (1, 41), (2, 21), (0, 94), (1, 46), (2, 22), (4, 4), (6, 0)],
        (4, 7),
    ),
]
GO_CONSISTENCY_ERRORS = [(5, 0), (9, 8)]  # (size1, size2)

# GB/T 32905-2016 appendix A examples.
SM3_ABC = h("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
SM3_ABCD_X16 = h("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")


def go_ranges(ids: NodeIds, rehash: tuple[int, int] | None) -> list[Range]:
    ranges = [(index << level, (index + 1) << level) for level, index in ids]
    if rehash is None:
        return ranges
    begin, end = rehash
    merged = ranges[begin:end]
    union = (min(s for s, _ in merged), max(e for _, e in merged))
    return [*ranges[:begin], union, *ranges[end:]]


KNOWN_LEAVES = [leaf_hash(d) for d in LEAF_INPUTS]


# --- a literal, recursive transcription of RFC 9162 §2.1 over the raw entries -----------------
# Deliberately naive (slices, recursion, no shared code with the module) as a second reference.


def _ref_hash(hash_name: str) -> Callable[[bytes], bytes]:
    if hash_name == "sha256":
        return lambda data: hashlib.sha256(data).digest()
    return lambda data: hashlib.new("sm3", data).digest()


@functools.cache
def ref_mth(entries: tuple[bytes, ...], hash_name: str = "sha256") -> bytes:
    hf = _ref_hash(hash_name)
    n = len(entries)
    if n == 0:
        return hf(b"")
    if n == 1:
        return hf(b"\x00" + entries[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return hf(b"\x01" + ref_mth(entries[:k], hash_name) + ref_mth(entries[k:], hash_name))


def ref_path(m: int, entries: tuple[bytes, ...]) -> list[bytes]:
    n = len(entries)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*ref_path(m, entries[:k]), ref_mth(entries[k:])]
    return [*ref_path(m - k, entries[k:]), ref_mth(entries[:k])]


def ref_subproof(m: int, entries: tuple[bytes, ...], b: bool) -> list[bytes]:
    n = len(entries)
    if m == n:
        return [] if b else [ref_mth(entries)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*ref_subproof(m, entries[:k], b), ref_mth(entries[k:])]
    return [*ref_subproof(m - k, entries[k:], False), ref_mth(entries[:k])]


# --- shared test data ----------------------------------------------------------------------


MAX_LEAVES = 1100
ENTRIES = tuple(f"entry {i}".encode() for i in range(MAX_LEAVES))  # distinct on purpose
LEAVES = [leaf_hash(e) for e in ENTRIES]


@functools.cache
def tree_root(size: int) -> bytes:
    return root_hash(LEAVES[:size])


@functools.cache
def perfect_store() -> dict[Range, bytes]:
    """Every perfect (aligned, power-of-two) subtree hash of LEAVES, as a ledger stores them."""
    store: dict[Range, bytes] = {}
    level = list(LEAVES)
    size = 1
    while level:
        for j, value in enumerate(level):
            store[(j * size, (j + 1) * size)] = value
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        size *= 2
    return store


def get_perfect(start: int, size: int) -> bytes:
    return perfect_store()[(start, start + size)]


@functools.cache
def stored_range_hash(start: int, end: int) -> bytes:
    return range_hash(start, end, get_perfect)


def stored_inclusion_proof(index: int, size: int) -> list[bytes]:
    return [stored_range_hash(s, e) for s, e in subtree_ranges_for_inclusion(index, size)]


def stored_consistency_proof(old: int, new: int) -> list[bytes]:
    return [stored_range_hash(s, e) for s, e in subtree_ranges_for_consistency(old, new)]


def flip(value: bytes, bit: int) -> bytes:
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def raises_proof_error(check: Callable[[], None]) -> bool:
    try:
        check()
    except ProofError:
        return True
    return False


# --- hashing ------------------------------------------------------------------------------


def test_sm3_known_answers() -> None:
    assert hash_bytes(b"abc", hash_name="sm3") == SM3_ABC
    assert hash_bytes(b"abcd" * 16, hash_name="sm3") == SM3_ABCD_X16
    assert merkle._sm3_gmssl(b"abc") == SM3_ABC
    assert merkle._sm3_gmssl(b"abcd" * 16) == SM3_ABCD_X16


@pytest.mark.parametrize("data", [b"", b"\x00", bytes(range(256)), b"x" * 1000])
def test_sm3_backends_agree(data: bytes) -> None:
    assert merkle._sm3_gmssl(data) == hash_bytes(data, hash_name="sm3")
    if merkle._openssl_has_sm3():
        assert merkle._sm3_openssl(data) == merkle._sm3_gmssl(data)


def test_sm3_falls_back_to_gmssl_without_openssl_support(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_sm3(name: str, data: bytes = b"") -> object:
        raise ValueError(f"unsupported hash type {name}")

    monkeypatch.setattr(hashlib, "new", no_sm3)
    assert merkle._openssl_has_sm3() is False


def test_sha256_and_prefixes() -> None:
    assert hash_bytes(b"") == EMPTY_ROOT
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert (
        node_hash(b"L" * 32, b"R" * 32) == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()
    )
    assert leaf_hash(b"abc", hash_name="sm3") == hash_bytes(b"\x00abc", hash_name="sm3")
    assert len(leaf_hash(b"", hash_name="sm3")) == DIGEST_SIZE == len(leaf_hash(b""))


@pytest.mark.parametrize("name", ["sha512", "SHA256", "sm2", "md5", ""])
def test_unknown_hash_names_are_rejected(name: str) -> None:
    zero = bytes(32)
    calls: list[Callable[[], object]] = [
        lambda: hash_bytes(b"", hash_name=name),
        lambda: leaf_hash(b"", hash_name=name),
        lambda: node_hash(zero, zero, hash_name=name),
        lambda: root_hash([zero], hash_name=name),
        lambda: inclusion_proof([zero], 0, hash_name=name),
        lambda: consistency_proof([zero], 1, hash_name=name),
        lambda: root_from_perfect_subtrees([zero], hash_name=name),
        lambda: range_hash(0, 1, lambda s, n: zero, hash_name=name),
        lambda: verify_inclusion(zero, 0, 1, [], zero, hash_name=name),
        lambda: verify_consistency(1, 1, [], zero, zero, hash_name=name),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="unsupported hash_name"):
            call()


# --- known answers ------------------------------------------------------------------------


def test_known_leaf_and_node_hashes() -> None:
    assert NODE_HASHES[0] == KNOWN_LEAVES
    for level, hashes in enumerate(NODE_HASHES):
        size = 1 << level
        for j, expected in enumerate(hashes):
            assert root_hash(KNOWN_LEAVES[j * size : (j + 1) * size]) == expected


@pytest.mark.parametrize("size", range(9))
def test_known_roots(size: int) -> None:
    assert root_hash(KNOWN_LEAVES[:size]) == ROOTS[size]
    sm3_leaves = [leaf_hash(d, hash_name="sm3") for d in LEAF_INPUTS[:size]]
    assert root_hash(sm3_leaves, hash_name="sm3") != ROOTS[size]


@pytest.mark.parametrize("size", range(9))
def test_known_roots_from_compact_trees(size: int) -> None:
    expected = [((index << level), (index + 1) << level) for level, index in COMPACT_TREES[size]]
    assert root_ranges(size) == expected
    hashes = [NODE_HASHES[level][index] for level, index in COMPACT_TREES[size]]
    assert root_from_perfect_subtrees(hashes) == ROOTS[size]

    def known_perfect(start: int, width: int) -> bytes:
        return NODE_HASHES[width.bit_length() - 1][start // width]

    if size:
        assert range_hash(0, size, known_perfect) == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS)
def test_known_inclusion_proofs(index: int, size: int, proof: list[bytes]) -> None:
    assert inclusion_proof(KNOWN_LEAVES[:size], index) == proof
    verify_inclusion(KNOWN_LEAVES[index], index, size, proof, ROOTS[size])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_VECTORS)
def test_known_consistency_proofs(old: int, new: int, proof: list[bytes]) -> None:
    assert consistency_proof(KNOWN_LEAVES[:new], old) == proof
    verify_consistency(old, new, proof, ROOTS[old], ROOTS[new])


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS[1:])
def test_known_inclusion_proofs_reject_go_corruptions(
    index: int, size: int, proof: list[bytes]
) -> None:
    """The probes of corruptInclusionProof in proof/verify_test.go (see the citation above)."""
    leaf, root = KNOWN_LEAVES[index], ROOTS[size]
    probes: list[tuple[int, int, bytes, list[bytes], bytes]] = [
        (index - 1, size, leaf, proof, root),
        (index + 1, size, leaf, proof, root),
        (index ^ 2, size, leaf, proof, root),
        (index, size * 2, leaf, proof, root),
        (index, size // 2, leaf, proof, root),
        (index, size, b"WrongLeaf", proof, root),
        (index, size, leaf, proof, EMPTY_ROOT),
        (index, size, leaf, proof, SOME_HASH),
        (index, size, leaf, [*proof, b""], root),
        (index, size, leaf, [*proof, root], root),
        (index, size, leaf, [b"", *proof], root),
        (index, size, leaf, [root, *proof], root),
        (index, size, leaf, proof[:-1], root),
        (index, size, leaf, [proof[0], SOME_HASH, *proof[1:]], root),
    ]
    probes += [
        (index, size, leaf, [*proof[:i], flip(proof[i], 3), *proof[i + 1 :]], root)
        for i in range(len(proof))
    ]
    for probe in probes:
        with pytest.raises(ProofError):
            verify_inclusion(probe[2], probe[0], probe[1], probe[3], probe[4])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_VECTORS[1:])
def test_known_consistency_proofs_reject_go_corruptions(
    old: int, new: int, proof: list[bytes]
) -> None:
    """The probes of corruptConsistencyProof in proof/verify_test.go."""
    r1, r2 = ROOTS[old], ROOTS[new]
    probes: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
        (old - 1, new, r1, r2, proof),
        (old + 1, new, r1, r2, proof),
        (old ^ 2, new, r1, r2, proof),
        (old, new * 2, r1, r2, proof),
        (old, new // 2, r1, r2, proof),
        (old, new, b"WrongRoot", r2, proof),
        (old, new, r1, b"WrongRoot", proof),
        (old, new, r2, r1, proof),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*proof, b""]),
        (old, new, r1, r2, [*proof, r1]),
        (old, new, r1, r2, [*proof, r2]),
        (old, new, r1, r2, [b"", *proof]),
        (old, new, r1, r2, [r1, *proof]),
        (old, new, r1, r2, [r2, *proof]),
        (old, new, r1, r2, [proof[0], *proof]),
        (old, new, r1, r2, proof[:-1]),
    ]
    probes += [
        (old, new, r1, r2, [*proof[:i], flip(proof[i], 4), *proof[i + 1 :]])
        for i in range(len(proof))
    ]
    for o, n, a, b, p in probes:
        with pytest.raises(ProofError):
            verify_consistency(o, n, p, a, b)


@pytest.mark.parametrize(("size", "index", "ids", "rehash"), GO_INCLUSION_SHAPES)
def test_inclusion_ranges_match_go_shapes(
    size: int, index: int, ids: NodeIds, rehash: tuple[int, int] | None
) -> None:
    assert subtree_ranges_for_inclusion(index, size) == go_ranges(ids, rehash)


@pytest.mark.parametrize(("old", "new", "ids", "rehash"), GO_CONSISTENCY_SHAPES)
def test_consistency_ranges_match_go_shapes(
    old: int, new: int, ids: NodeIds, rehash: tuple[int, int] | None
) -> None:
    assert subtree_ranges_for_consistency(old, new) == go_ranges(ids, rehash)


def test_go_shape_errors() -> None:
    for size, index in GO_INCLUSION_ERRORS:
        with pytest.raises(ValueError):
            subtree_ranges_for_inclusion(index, size)
    for old, new in GO_CONSISTENCY_ERRORS:
        with pytest.raises(ValueError):
            subtree_ranges_for_consistency(old, new)


# --- cross-check against pymerkle (an independent RFC 9162 implementation) --------------------


def test_cross_check_roots_and_inclusion_with_pymerkle() -> None:
    pymerkle = importlib.import_module("pymerkle")  # from requirements-dev.txt
    tree = pymerkle.InmemoryTree(algorithm="sha256")  # security prefixes 0x00/0x01 are the default
    for entry in ENTRIES[:80]:
        tree.append_entry(entry)
    for size in range(81):
        assert tree.get_root(size) == tree_root(size)
        for index in range(size):
            theirs = tree.prove_inclusion(index + 1, size)  # pymerkle counts leaves from 1
            assert theirs.path == [LEAVES[index], *inclusion_proof(LEAVES[:size], index)]
    big = pymerkle.InmemoryTree.init_from_entries(list(ENTRIES), algorithm="sha256")
    for size in (127, 128, 129, 500, 1023, 1024, 1025, MAX_LEAVES):
        assert big.get_root(size) == tree_root(size)


def test_cross_check_consistency_with_pymerkle() -> None:
    """pymerkle's consistency proofs have their own layout; compare what must agree."""
    pymerkle = importlib.import_module("pymerkle")  # from requirements-dev.txt
    tree = pymerkle.InmemoryTree.init_from_entries(list(ENTRIES[:40]), algorithm="sha256")
    subtree_roots: dict[Range, bytes] = {}
    for new in range(1, 41):
        for old in range(1, new + 1):
            ours = consistency_proof(LEAVES[:new], old)
            for (start, end), element in zip(
                subtree_ranges_for_consistency(old, new), ours, strict=True
            ):
                if (start, end) not in subtree_roots:
                    sub = pymerkle.InmemoryTree.init_from_entries(list(ENTRIES[start:end]))
                    subtree_roots[(start, end)] = sub.get_root()
                assert element == subtree_roots[(start, end)]
            verify_consistency(old, new, ours, tree.get_root(old), tree.get_root(new))
            theirs = tree.prove_consistency(old, new)
            pymerkle.verify_consistency(tree_root(old), tree_root(new), theirs)


def test_cross_check_with_naive_reference() -> None:
    for size in range(1, 70):
        entries = ENTRIES[:size]
        assert tree_root(size) == ref_mth(entries)
        for index in range(size):
            assert inclusion_proof(LEAVES[:size], index) == ref_path(index, entries)
        for old in range(1, size + 1):
            assert consistency_proof(LEAVES[:size], old) == ref_subproof(old, entries, True)


def test_sm3_trees_against_naive_reference() -> None:
    sm3_leaves = [leaf_hash(e, hash_name="sm3") for e in ENTRIES[:40]]
    for size in range(41):
        root = root_hash(sm3_leaves[:size], hash_name="sm3")
        assert root == ref_mth(ENTRIES[:size], "sm3")
        assert size == 0 or root != tree_root(size)
    root = root_hash(sm3_leaves[:37], hash_name="sm3")
    proof = inclusion_proof(sm3_leaves[:37], 33, hash_name="sm3")
    verify_inclusion(sm3_leaves[33], 33, 37, proof, root, hash_name="sm3")
    with pytest.raises(ProofError):
        verify_inclusion(sm3_leaves[33], 33, 37, proof, root)
    old_root = root_hash(sm3_leaves[:13], hash_name="sm3")
    cproof = consistency_proof(sm3_leaves[:37], 13, hash_name="sm3")
    verify_consistency(13, 37, cproof, old_root, root, hash_name="sm3")
    with pytest.raises(ProofError):
        verify_consistency(13, 37, cproof, old_root, root)


# --- proofs from stored perfect-subtree hashes --------------------------------------------


def counting_getter() -> tuple[Callable[[int, int], bytes], list[Range]]:
    reads: list[Range] = []

    def getter(start: int, size: int) -> bytes:
        reads.append((start, start + size))
        return get_perfect(start, size)

    return getter, reads


def is_node(start: int, end: int) -> bool:
    size = end - start
    return size >= 1 and start % (1 << (size - 1).bit_length()) == 0


def check_stored_proof(ranges: Sequence[Range], expected: Sequence[bytes], size: int) -> None:
    getter, reads = counting_getter()
    assert [range_hash(s, e, getter) for s, e in ranges] == list(expected)
    assert all(is_node(s, e) and e <= size for s, e in ranges)
    imperfect = [(s, e) for s, e in ranges if (e - s) & (e - s - 1)]
    assert len(imperfect) <= 1
    assert all(e == size for _, e in imperfect)
    assert len(reads) <= len(ranges) + size.bit_length()


def test_stored_proofs_equal_direct_proofs_exhaustively() -> None:
    for size in range(1, 65):
        leaves = LEAVES[:size]
        for index in range(size):
            ranges = subtree_ranges_for_inclusion(index, size)
            check_stored_proof(ranges, inclusion_proof(leaves, index), size)
        for old in range(size + 1):
            ranges = subtree_ranges_for_consistency(old, size)
            check_stored_proof(ranges, consistency_proof(leaves, old), size)


@FAST
@given(st.data())
def test_stored_proofs_equal_direct_proofs_for_large_trees(data: st.DataObject) -> None:
    size = data.draw(st.integers(65, MAX_LEAVES))
    index = data.draw(st.integers(0, size - 1))
    old = data.draw(st.integers(0, size))
    leaves = LEAVES[:size]
    check_stored_proof(
        subtree_ranges_for_inclusion(index, size), inclusion_proof(leaves, index), size
    )
    check_stored_proof(
        subtree_ranges_for_consistency(old, size), consistency_proof(leaves, old), size
    )


@pytest.mark.parametrize("size", [*range(0, 70), 255, 256, 257, 1000, 1023, 1024, MAX_LEAVES])
def test_roots_from_perfect_subtrees(size: int) -> None:
    ranges = root_ranges(size)
    assert [e - s for s, e in ranges] == sorted(
        (1 << b for b in range(size.bit_length()) if size >> b & 1), reverse=True
    )
    assert all(is_node(s, e) for s, e in ranges)
    assert (ranges[0][0] if ranges else 0) == 0 and (ranges[-1][1] if ranges else 0) == size
    hashes = [get_perfect(s, e - s) for s, e in ranges]
    assert root_from_perfect_subtrees(hashes) == tree_root(size)
    if size:
        assert range_hash(0, size, get_perfect) == tree_root(size)


def test_range_hash_rejects_non_subtrees() -> None:
    for start, end in [(0, 0), (5, 5), (5, 4), (1, 3), (2, 5), (4, 9), (-1, 1)]:
        with pytest.raises(ValueError):
            range_hash(start, end, get_perfect)


def test_large_root_is_iterative_and_matches_stored_nodes() -> None:
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(100_003)]
    expected = root_from_perfect_subtrees(
        [root_hash(leaves[s:e]) for s, e in root_ranges(len(leaves))]
    )
    assert root_hash(leaves) == expected


# --- verification: every proof verifies, every corruption fails -----------------------------

SIZES_UP_TO = 300


def test_every_inclusion_proof_verifies() -> None:
    for size in range(1, SIZES_UP_TO + 1):
        root = tree_root(size)
        for index in range(size):
            verify_inclusion(LEAVES[index], index, size, stored_inclusion_proof(index, size), root)


def test_every_consistency_proof_verifies() -> None:
    for new in range(0, SIZES_UP_TO + 1):
        new_root = tree_root(new)
        for old in range(0, new + 1):
            proof = stored_consistency_proof(old, new)
            verify_consistency(old, new, proof, tree_root(old), new_root)


def inclusion_shape(index: int, size: int) -> tuple[bool, ...]:
    """Which proof elements are left siblings: all RFC 9162 §2.1.3.2 looks at."""
    return tuple(start < index for start, _ in subtree_ranges_for_inclusion(index, size))


def consistency_shape(old: int, new: int) -> tuple[bool, tuple[bool, ...]]:
    ranges = subtree_ranges_for_consistency(old, new)
    implicit_base = old & (old - 1) == 0
    base = (0, old) if implicit_base else ranges[0]
    rest = ranges if implicit_base else ranges[1:]
    return implicit_base, tuple(start < base[0] for start, _ in rest)


sizes = st.integers(1, SIZES_UP_TO)
bits = st.integers(0, 8 * DIGEST_SIZE - 1)


@FAST
@given(st.data())
def test_inclusion_corruptions_fail(data: st.DataObject) -> None:
    size = data.draw(sizes)
    index = data.draw(st.integers(0, size - 1))
    leaf, root = LEAVES[index], tree_root(size)
    proof = stored_inclusion_proof(index, size)
    verify_inclusion(leaf, index, size, proof, root)
    for i in range(len(proof)):
        bad = [*proof[:i], flip(proof[i], data.draw(bits)), *proof[i + 1 :]]
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, size, bad, root)
    for bad_proof in (proof[:-1], [*proof, SOME_HASH], [SOME_HASH, *proof]):
        if bad_proof != proof:
            with pytest.raises(ProofError):
                verify_inclusion(leaf, index, size, bad_proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(flip(leaf, data.draw(bits)), index, size, proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, size, proof, flip(root, data.draw(bits)))
    for bit in range(size.bit_length() + 1):
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index ^ 1 << bit, size, proof, root)
        # A size flip is caught unless the proof for the other size has the very same shape
        # (e.g. index 0 in sizes 6 and 7): RFC 9162 binds the size only through the root.
        other = size ^ 1 << bit
        benign = index < other and inclusion_shape(index, other) == inclusion_shape(index, size)
        rejected = raises_proof_error(lambda: verify_inclusion(leaf, index, other, proof, root))  # noqa: B023
        assert rejected is not benign


@FAST
@given(st.data())
def test_consistency_corruptions_fail(data: st.DataObject) -> None:
    new = data.draw(st.integers(2, SIZES_UP_TO))
    old = data.draw(st.integers(1, new - 1))
    r1, r2 = tree_root(old), tree_root(new)
    proof = stored_consistency_proof(old, new)
    verify_consistency(old, new, proof, r1, r2)
    for i in range(len(proof)):
        bad = [*proof[:i], flip(proof[i], data.draw(bits)), *proof[i + 1 :]]
        with pytest.raises(ProofError):
            verify_consistency(old, new, bad, r1, r2)
    for bad_proof in ([], proof[:-1], proof[1:], [*proof, SOME_HASH], [SOME_HASH, *proof]):
        with pytest.raises(ProofError):
            verify_consistency(old, new, bad_proof, r1, r2)
    with pytest.raises(ProofError):
        verify_consistency(old, new, proof, flip(r1, data.draw(bits)), r2)
    with pytest.raises(ProofError):
        verify_consistency(old, new, proof, r1, flip(r2, data.draw(bits)))
    for bit in range(new.bit_length() + 1):
        with pytest.raises(ProofError):
            verify_consistency(old ^ 1 << bit, new, proof, r1, r2)
        other = new ^ 1 << bit  # as for inclusion: only a same-shaped proof may pass
        benign = old < other and consistency_shape(old, other) == consistency_shape(old, new)
        rejected = raises_proof_error(lambda: verify_consistency(old, other, proof, r1, r2))  # noqa: B023
        assert rejected is not benign


# --- edge cases -----------------------------------------------------------------------------


def test_empty_tree() -> None:
    assert root_hash([]) == EMPTY_ROOT
    assert root_from_perfect_subtrees([]) == EMPTY_ROOT
    assert root_ranges(0) == []
    with pytest.raises(ValueError):
        inclusion_proof([], 0)
    assert consistency_proof([], 0) == []
    with pytest.raises(ProofError):
        verify_inclusion(EMPTY_ROOT, 0, 0, [], EMPTY_ROOT)


def test_single_leaf_tree() -> None:
    leaf = leaf_hash(b"data")
    verify_inclusion(leaf, 0, 1, [], leaf)
    for bad_leaf, bad_root in [(leaf, b""), (b"", leaf), (b"", b""), (leaf, EMPTY_ROOT)]:
        with pytest.raises(ProofError):
            verify_inclusion(bad_leaf, 0, 1, [], bad_root)
    for index, size in [(0, 0), (1, 0), (1, 1), (2, 1), (-1, 1)]:
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, size, [], leaf)


def test_trivial_consistency_cases() -> None:
    r5 = tree_root(5)
    verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    verify_consistency(0, 5, [], EMPTY_ROOT, r5)
    verify_consistency(5, 5, [], r5, r5)
    bad_cases: list[tuple[int, int, list[bytes], bytes, bytes]] = [
        (0, 5, [r5], EMPTY_ROOT, r5),  # a trivial proof must be empty
        (0, 5, [], SOME_HASH, r5),  # the empty tree's root is HASH()
        (0, 0, [], EMPTY_ROOT, SOME_HASH),
        (5, 5, [], r5, SOME_HASH),
        (5, 5, [EMPTY_ROOT], r5, r5),
        (5, 4, [], r5, tree_root(4)),  # time travel
        (6, 5, stored_consistency_proof(5, 6), tree_root(6), r5),
        (5, 6, [], r5, tree_root(6)),
        (-1, 5, [], EMPTY_ROOT, r5),
    ]
    for old, new, proof, a, b in bad_cases:
        with pytest.raises(ProofError):
            verify_consistency(old, new, proof, a, b)


def test_malformed_inputs_are_proof_errors() -> None:
    proof = stored_inclusion_proof(3, 10)
    root, leaf = tree_root(10), LEAVES[3]
    for bad in ([*proof[:-1], proof[-1][:-1]], [*proof[:-1], proof[-1] + b"\x00"], [None]):
        with pytest.raises(ProofError):
            verify_inclusion(leaf, 3, 10, bad, root)  # type: ignore[arg-type]
    with pytest.raises(ProofError):
        verify_inclusion(leaf, "3", 10, proof, root)  # type: ignore[arg-type]
    with pytest.raises(ProofError):
        verify_inclusion(leaf, 3, True, proof, root)
    mutable = [cast(bytes, bytearray(value)) for value in (leaf, root, *proof)]
    verify_inclusion(mutable[0], 3, 10, mutable[2:], mutable[1])  # bytearray is accepted too
    cproof = stored_consistency_proof(3, 10)
    with pytest.raises(ProofError):
        verify_consistency(3, 10, [*cproof[:-1], cproof[-1][:31]], tree_root(3), root)
    with pytest.raises(ProofError):
        verify_consistency(3.0, 10, cproof, tree_root(3), root)  # type: ignore[arg-type]


def test_builders_reject_bad_arguments() -> None:
    leaves = LEAVES[:5]
    for index in (-1, 5, 6):
        with pytest.raises(ValueError):
            inclusion_proof(leaves, index)
    for old in (-1, 6):
        with pytest.raises(ValueError):
            consistency_proof(leaves, old)
    with pytest.raises(ValueError):
        root_ranges(-1)
