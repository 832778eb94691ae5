"""Merkle tree hashing, proofs and verification after RFC 9162 §2.1.

This module is pure Python (standard library plus ``gmssl`` for SM3 where the linked
OpenSSL lacks it) and has no Django import, so any verifier can vendor it.

Definitions, for a list of ``n`` leaf inputs ``D[n] = {d(0), ..., d(n-1)}`` (§2.1.1):

* the leaf hash is ``HASH(0x00 || d(i))``, the interior node hash ``HASH(0x01 || left ||
  right)``; the domain-separation prefixes stop a leaf from passing as a node;
* ``MTH({}) = HASH()``; for ``n > 1``, with ``k`` the largest power of two smaller than
  ``n``, ``MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``.

Functions taking ``leaf_hashes`` work on already hashed leaves (``leaf_hash`` of each
entry). ``inclusion_proof`` is ``PATH`` of §2.1.3.1, ``consistency_proof`` is ``PROOF`` of
§2.1.4.1; ``verify_inclusion`` and ``verify_consistency`` are the iterative algorithms of
§2.1.3.2 and §2.1.4.2 and raise :class:`ProofError` on any failure.

``hash_name`` selects the hash: ``"sha256"`` (the RFC's choice) or ``"sm3"`` (GB/T 32905,
also 32 bytes). Any other name raises :class:`ValueError`.

Stored-node helpers
-------------------
A ledger with millions of entries cannot hash every leaf for each proof. It stores the hash
of every *perfect* subtree, i.e. an aligned range ``[j * 2**h, (j + 1) * 2**h)`` of the leaves,
once that range is complete. Then:

* ``subtree_ranges_for_inclusion`` / ``subtree_ranges_for_consistency`` give the leaf ranges
  ``[start, end)`` whose MTH values are the proof elements, in proof order;
* every such range is a node of the RFC tree: ``start`` is a multiple of the smallest power
  of two not less than ``end - start``. All of them are perfect except at most one per proof,
  which ends at the right edge of the tree. Its MTH is, like any tree's root, the fold of
  the perfect subtrees that ``root_ranges(end - start)`` yields (shifted by ``start``):
  ``range_hash`` computes it from at most ``log2(n) + 1`` stored hashes;
* ``root_ranges`` + ``root_from_perfect_subtrees`` compute a tree root the same way.

So a proof over ``n`` entries costs ``O(log n)`` node reads.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "DIGEST_SIZE",
    "ProofError",
    "consistency_proof",
    "hash_bytes",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "range_hash",
    "root_from_perfect_subtrees",
    "root_hash",
    "root_ranges",
    "subtree_ranges_for_consistency",
    "subtree_ranges_for_inclusion",
    "verify_consistency",
    "verify_inclusion",
]

DIGEST_SIZE = 32
"""Output size in bytes of every supported hash (SHA-256 and SM3)."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_SM3_ABC = bytes.fromhex("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")

HashFunction = Callable[[bytes], bytes]


class ProofError(Exception):
    """An inclusion or consistency proof failed verification (RFC 9162 §2.1.3.2, §2.1.4.2)."""


# --- hash functions ----------------------------------------------------------------------


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _sm3_openssl(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


def _sm3_gmssl(data: bytes) -> bytes:
    """SM3 through ``gmssl`` (pure Python, slow); used when OpenSSL has no SM3."""
    sm3 = importlib.import_module("gmssl.sm3")
    func = importlib.import_module("gmssl.func")
    return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))


def _openssl_has_sm3() -> bool:
    """Whether ``hashlib.new("sm3")`` exists and gives the GB/T 32905 "abc" answer."""
    try:
        return _sm3_openssl(b"abc") == _SM3_ABC
    except ValueError:  # "unsupported hash type sm3"
        return False


_HASH_FUNCTIONS: dict[str, HashFunction] = {
    "sha256": _sha256,
    "sm3": _sm3_openssl if _openssl_has_sm3() else _sm3_gmssl,
}


def _hash_function(hash_name: str) -> HashFunction:
    try:
        return _HASH_FUNCTIONS[hash_name]
    except KeyError:
        raise ValueError(
            f"unsupported hash_name {hash_name!r}; expected one of {sorted(_HASH_FUNCTIONS)}"
        ) from None


def hash_bytes(data: bytes, *, hash_name: str = "sha256") -> bytes:
    """Return ``HASH(data)`` for the selected hash, without any prefix."""
    return _hash_function(hash_name)(data)


def leaf_hash(data: bytes, *, hash_name: str = "sha256") -> bytes:
    """Return the leaf hash ``HASH(0x00 || data)`` (RFC 9162 §2.1.1)."""
    return _hash_function(hash_name)(_LEAF_PREFIX + data)


def node_hash(left: bytes, right: bytes, *, hash_name: str = "sha256") -> bytes:
    """Return the interior node hash ``HASH(0x01 || left || right)`` (RFC 9162 §2.1.1)."""
    return _hash_function(hash_name)(_NODE_PREFIX + left + right)


# --- tree shape ----------------------------------------------------------------------------


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``), RFC 9162 §2.1.1."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_size(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")


def root_ranges(tree_size: int) -> list[tuple[int, int]]:
    """Split ``[0, tree_size)`` into perfect subtrees, largest (leftmost) first.

    These are the ranges of the set bits of ``tree_size``, high to low. Folding their hashes
    from the right (``root_from_perfect_subtrees``) gives ``MTH`` of the tree, because the
    RFC 9162 §2.1.1 split point of a tree is always the size of its first perfect subtree.
    """
    _check_size("tree_size", tree_size)
    ranges: list[tuple[int, int]] = []
    start = 0
    for bit in reversed(range(tree_size.bit_length())):
        size = 1 << bit
        if tree_size & size:
            ranges.append((start, start + size))
            start += size
    return ranges


def subtree_ranges_for_inclusion(index: int, tree_size: int) -> list[tuple[int, int]]:
    """Leaf ranges ``[start, end)`` whose MTH values form ``PATH(index, D[tree_size])``.

    The order is the proof order of RFC 9162 §2.1.3.1: the sibling nearest the leaf first,
    the child of the root last. ``PATH`` is recursive; this walks it top-down and reverses.
    """
    _check_size("index", index)
    _check_size("tree_size", tree_size)
    if index >= tree_size:
        raise ValueError(f"index {index} out of range for tree size {tree_size}")
    ranges: list[tuple[int, int]] = []
    start, end = 0, tree_size
    while end - start > 1:
        mid = start + _split(end - start)
        if index < mid:
            ranges.append((mid, end))
            end = mid
        else:
            ranges.append((start, mid))
            start = mid
    ranges.reverse()
    return ranges


def subtree_ranges_for_consistency(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTH values form ``PROOF(old_size, D[new_size])`` (RFC 9162 §2.1.4.1).

    ``SUBPROOF(m, D[n], b)`` recurses into one child and appends the other child's MTH; at
    ``m == n`` it contributes ``MTH(D[n])`` unless ``b`` is still true (the old tree is then
    a perfect left subtree the verifier already knows). Empty when ``old_size`` is 0 or
    equal to ``new_size``.
    """
    _check_size("old_size", old_size)
    _check_size("new_size", new_size)
    if old_size > new_size:
        raise ValueError(f"old_size {old_size} is larger than new_size {new_size}")
    if old_size in (0, new_size):
        return []
    ranges: list[tuple[int, int]] = []
    start, m, n, whole_old_tree = 0, old_size, new_size, True
    while m != n:
        k = _split(n)
        if m <= k:
            ranges.append((start + k, start + n))
            n = k
        else:
            ranges.append((start, start + k))
            start, m, n, whole_old_tree = start + k, m - k, n - k, False
    if not whole_old_tree:
        ranges.append((start, start + n))
    ranges.reverse()
    return ranges


# --- computing from leaf hashes ---------------------------------------------------------------


def _fold(leaf_hashes: Iterable[bytes], hash_fn: HashFunction) -> bytes:
    """MTH of the leaves, in one pass with a stack of at most ``log2(n) + 1`` hashes.

    Leaf number ``count`` (counting from 1) merges with as many stack tops as ``count`` has
    trailing zero bits; the stack then holds the perfect subtrees of ``root_ranges(count)``.
    """
    stack: list[bytes] = []
    for count, leaf in enumerate(leaf_hashes, 1):
        value, merges = leaf, count
        while not merges & 1:
            value = hash_fn(_NODE_PREFIX + stack.pop() + value)
            merges >>= 1
        stack.append(value)
    if not stack:
        return hash_fn(b"")
    result = stack.pop()
    while stack:
        result = hash_fn(_NODE_PREFIX + stack.pop() + result)
    return result


def _range_mth(leaf_hashes: Sequence[bytes], start: int, end: int, hash_fn: HashFunction) -> bytes:
    return _fold((leaf_hashes[i] for i in range(start, end)), hash_fn)


def root_hash(leaf_hashes: Sequence[bytes], *, hash_name: str = "sha256") -> bytes:
    """Return ``MTH`` of the leaf hashes (RFC 9162 §2.1.1); ``HASH()`` for an empty tree.

    Iterative, linear time, ``O(log n)`` extra memory: no recursion and no slicing.
    """
    return _fold(leaf_hashes, _hash_function(hash_name))


def inclusion_proof(
    leaf_hashes: Sequence[bytes], index: int, *, hash_name: str = "sha256"
) -> list[bytes]:
    """Return the inclusion proof ``PATH(index, D[n])`` of RFC 9162 §2.1.3.1.

    Raises ValueError unless ``0 <= index < len(leaf_hashes)``.
    """
    hash_fn = _hash_function(hash_name)
    ranges = subtree_ranges_for_inclusion(index, len(leaf_hashes))
    return [_range_mth(leaf_hashes, start, end, hash_fn) for start, end in ranges]


def consistency_proof(
    leaf_hashes: Sequence[bytes], old_size: int, *, hash_name: str = "sha256"
) -> list[bytes]:
    """Return the consistency proof ``PROOF(old_size, D[n])`` of RFC 9162 §2.1.4.1.

    ``n`` is ``len(leaf_hashes)``. Raises ValueError unless ``0 <= old_size <= n``.
    """
    hash_fn = _hash_function(hash_name)
    ranges = subtree_ranges_for_consistency(old_size, len(leaf_hashes))
    return [_range_mth(leaf_hashes, start, end, hash_fn) for start, end in ranges]


# --- computing from stored perfect-subtree hashes ----------------------------------------------


def root_from_perfect_subtrees(
    hashes_left_to_right: Sequence[bytes], *, hash_name: str = "sha256"
) -> bytes:
    """Fold the hashes of ``root_ranges(n)``, given left to right, into ``MTH(D[n])``.

    Each tree's left child is its first perfect subtree, so the root is
    ``node(p0, node(p1, ... node(p[-2], p[-1])))``. No hashes means the empty tree.
    """
    hash_fn = _hash_function(hash_name)
    if not hashes_left_to_right:
        return hash_fn(b"")
    result = hashes_left_to_right[-1]
    for value in reversed(hashes_left_to_right[:-1]):
        result = hash_fn(_NODE_PREFIX + value + result)
    return result


def range_hash(
    start: int,
    end: int,
    get_perfect: Callable[[int, int], bytes],
    *,
    hash_name: str = "sha256",
) -> bytes:
    """Return ``MTH(leaves[start:end])`` from stored perfect-subtree hashes.

    ``[start, end)`` must be a node of an RFC 9162 tree, as every range from
    ``subtree_ranges_for_*`` and ``root_ranges`` is: non-empty, and ``start`` a multiple of
    the smallest power of two ``>= end - start``. Then the perfect subtrees of
    ``root_ranges(end - start)``, shifted by ``start``, are aligned nodes, and
    ``get_perfect(node_start, size)`` is called once for each (at most ``log2(size) + 1``
    times; once when the range itself is perfect). ``size == 1`` asks for a leaf hash.
    """
    _check_size("start", start)
    _check_size("end", end)
    size = end - start
    if size < 1:
        raise ValueError(f"empty or reversed range [{start}, {end})")
    if start % (1 << (size - 1).bit_length()):
        raise ValueError(f"[{start}, {end}) is not a subtree of a Merkle tree")
    hashes = [get_perfect(start + lo, hi - lo) for lo, hi in root_ranges(size)]
    return root_from_perfect_subtrees(hashes, hash_name=hash_name)


# --- verification ---------------------------------------------------------------------------


def _require_digest(what: str, value: object) -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != DIGEST_SIZE:
        raise ProofError(f"{what} is not a {DIGEST_SIZE}-byte hash")
    return bytes(value)


def _require_size(what: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProofError(f"{what} must be a non-negative int")
    return value


def _require_equal(what: str, computed: bytes, expected: bytes) -> None:
    if not hmac.compare_digest(computed, expected):
        raise ProofError(f"{what} does not match")


def _root_from_inclusion(
    leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], hash_fn: HashFunction
) -> bytes:
    """Steps 1 to 4 of RFC 9162 §2.1.3.2, plus the ``sn == 0`` test of step 5."""
    if index >= tree_size:
        raise ProofError(f"index {index} is not below tree size {tree_size}")
    fn, sn = index, tree_size - 1
    r = leaf
    for position, element in enumerate(proof):
        p = _require_digest(f"proof[{position}]", element)
        if sn == 0:
            raise ProofError("proof is too long")
        if fn & 1 or fn == sn:
            r = hash_fn(_NODE_PREFIX + p + r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hash_fn(_NODE_PREFIX + r + p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("proof is too short")
    return r


def verify_inclusion(
    leaf_hash: bytes,
    index: int,
    tree_size: int,
    proof: Sequence[bytes],
    root: bytes,
    *,
    hash_name: str = "sha256",
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``tree_size`` with ``root``.

    The algorithm of RFC 9162 §2.1.3.2. Raises :class:`ProofError` if the index is not below
    the size, the proof has the wrong length or a malformed element, or the root computed
    from the proof differs from ``root``.

    As in the RFC, the proof binds the leaf, its index and the root; a size whose proof has
    the same shape (e.g. 6 and 7 for index 0) verifies too, against the same root.
    """
    hash_fn = _hash_function(hash_name)
    index = _require_size("index", index)
    tree_size = _require_size("tree_size", tree_size)
    leaf = _require_digest("leaf hash", leaf_hash)
    expected = _require_digest("root", root)
    computed = _root_from_inclusion(leaf, index, tree_size, proof, hash_fn)
    _require_equal("root computed from the inclusion proof", computed, expected)


def _roots_from_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, hash_fn: HashFunction
) -> tuple[bytes, bytes]:
    """Steps 1 to 6 of RFC 9162 §2.1.4.2 (``0 < old_size < new_size``), plus ``sn == 0``."""
    path = [_require_digest(f"proof[{i}]", element) for i, element in enumerate(proof)]
    if not path:
        raise ProofError("consistency proof is empty")
    if old_size & (old_size - 1) == 0:  # an exact power of 2
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("proof is too long")
        if fn & 1 or fn == sn:
            fr = hash_fn(_NODE_PREFIX + c + fr)
            sr = hash_fn(_NODE_PREFIX + c + sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = hash_fn(_NODE_PREFIX + sr + c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("proof is too short")
    return fr, sr


def verify_consistency(
    old_size: int,
    new_size: int,
    proof: Sequence[bytes],
    old_root: bytes,
    new_root: bytes,
    *,
    hash_name: str = "sha256",
) -> None:
    """Check that the tree of ``new_size`` with ``new_root`` extends the old one.

    The algorithm of RFC 9162 §2.1.4.2 for ``0 < old_size < new_size``. The RFC leaves the
    trivial cases to the caller; here they need an empty proof, and ``old_size == new_size``
    needs equal roots. ``old_size == 0`` also needs ``old_root`` to be the empty tree's root
    ``HASH()``; it says nothing about ``new_root`` (every tree extends the empty one).
    Raises :class:`ProofError` on any failure.
    """
    hash_fn = _hash_function(hash_name)
    old_size = _require_size("old_size", old_size)
    new_size = _require_size("new_size", new_size)
    old = _require_digest("old root", old_root)
    new = _require_digest("new root", new_root)
    if old_size > new_size:
        raise ProofError(f"old_size {old_size} is larger than new_size {new_size}")
    if old_size == 0 or old_size == new_size:
        if len(proof) != 0:
            raise ProofError("a proof for a trivial consistency check must be empty")
        if old_size == 0:
            _require_equal("old root of the empty tree", old, hash_fn(b""))
        if old_size == new_size:
            _require_equal("roots of equal-sized trees", old, new)
        return
    fr, sr = _roots_from_consistency(old_size, new_size, proof, old, hash_fn)
    _require_equal("old root computed from the consistency proof", fr, old)
    _require_equal("new root computed from the consistency proof", sr, new)
