#!/usr/bin/env python3
"""Follow a Sanxiang public log as a Certificate Transparency monitor does. No Django.

    python tools/monitor_log.py https://gongshi.example.gov.cn/gongshi/ledger/ \\
        --log-key <base64 key from the portal, obtained out of band> --state state.json \\
        [--witness "sfj.example/witness <base64 key>" --quorum 1] [--item 42]

Each run:

1. fetches the latest checkpoint (``checkpoint``: a C2SP signed note) and checks the log's
   signature under the pinned key (Ed25519; SM2 with ``gmssl``), and the witnesses'
   ``cosignature/v1`` lines under their pinned keys, up to ``--quorum``;
2. compares it with the checkpoint remembered in ``--state``: a smaller tree is a rollback,
   the same size with another root a fork; a larger tree must come with a consistency proof
   (``consistency.json?first=OLD&second=NEW``) that verifies (RFC 9162 §2.1.4.2);
3. for each ``--item``, fetches its inclusion proof against that checkpoint
   (``inclusion.json?item=ID&tree_size=NEW``), recomputes the entry's leaf and checks the
   proof (§2.1.3.2);
4. only when everything held, remembers the new checkpoint (written atomically).

Exit 0 when every check held; 1 with the reasons otherwise (the state is then kept as it was).
The Merkle verification below is written out here on purpose (the same algorithms as
``sanxiang/lib/merkle.py``), so this one file and ``cryptography`` are all a monitor needs.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import os
import struct
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DASH = "\u2014"


class MonitorError(Exception):
    """A check failed: the log is not what it claims, or an answer cannot be read."""


# --- hashing and RFC 9162 verification --------------------------------------------------------


def _hash_fn(name: str) -> Any:
    if name == "sha256":
        return lambda data: hashlib.sha256(data).digest()
    if name == "sm3":
        try:
            hashlib.new("sm3", b"")
            return lambda data: hashlib.new("sm3", data).digest()
        except ValueError:
            from gmssl import func, sm3

            return lambda data: bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))
    raise MonitorError(f"unknown hash {name!r}")


def verify_inclusion(
    h: Any, leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes
) -> None:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        raise MonitorError("inclusion: index not below the tree size")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise MonitorError("inclusion: proof too long")
        if fn & 1 or fn == sn:
            r = h(b"\x01" + p + r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = h(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or not hmac.compare_digest(r, root):
        raise MonitorError("inclusion: the proof does not lead to the checkpoint's root")


def verify_consistency(
    h: Any, old_size: int, new_size: int, proof: list[bytes], old_root: bytes, new_root: bytes
) -> None:
    """RFC 9162 §2.1.4.2 for 0 < old_size < new_size (the trivial cases are the caller's)."""
    if not proof:
        raise MonitorError("consistency: empty proof")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise MonitorError("consistency: proof too long")
        if fn & 1 or fn == sn:
            fr, sr = h(b"\x01" + c + fr), h(b"\x01" + c + sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = h(b"\x01" + sr + c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise MonitorError("consistency: proof too short")
    if not hmac.compare_digest(fr, old_root):
        raise MonitorError("consistency: the proof does not lead to the remembered root (fork)")
    if not hmac.compare_digest(sr, new_root):
        raise MonitorError("consistency: the proof does not lead to the new root")


# --- signed notes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    hash_name: str
    body: str
    signatures: list[tuple[str, bytes, bytes]]  # (name, key id, signature)
    note: str


def parse_note(text: str) -> Checkpoint:
    body, sep, tail = text.partition("\n\n")
    if not sep or not tail.endswith("\n"):
        raise MonitorError("checkpoint: not a signed note")
    body += "\n"
    lines = body.split("\n")[:-1]
    if len(lines) < 3 or not lines[1].isdigit():
        raise MonitorError("checkpoint: malformed body")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error as err:
        raise MonitorError("checkpoint: root is not base64") from err
    hash_name = "sha256"
    for extension in lines[3:]:
        if extension.startswith("hash "):
            hash_name = extension[5:]
    signatures = []
    for line in tail[:-1].split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise MonitorError(f"checkpoint: malformed signature line {line[:60]!r}")
        raw = base64.b64decode(parts[2])
        signatures.append((parts[1], raw[:4], raw[4:]))
    if len(root) != 32:
        raise MonitorError("checkpoint: root is not 32 bytes")
    return Checkpoint(lines[0], int(lines[1]), root, hash_name, body, signatures, text)


def _key_id(name: str, sig_type: int, key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + key).digest()[:4]


def _ed25519_ok(key: bytes, message: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _sm2_ok(key: bytes, message: bytes, signature: bytes) -> bool:
    from gmssl import sm2

    if len(key) != 64 or len(signature) != 64:
        return False
    crypt = sm2.CryptSM2(private_key="", public_key=key.hex())
    crypt.public_key = key.hex()  # gmssl's lstrip("04") would eat leading digits of x
    try:
        return bool(crypt.verify_with_sm3(signature.hex(), message))
    except (ValueError, TypeError):
        return False


def check_log_signature(cp: Checkpoint, key: bytes) -> None:
    """The log's own signature: Ed25519 (32-byte key, type 0x01) or SM2 (64 bytes, 0xff)."""
    sig_type, check = (0x01, _ed25519_ok) if len(key) == 32 else (0xFF, _sm2_ok)
    kid = _key_id(cp.origin, sig_type, key)
    for name, key_id, signature in cp.signatures:
        if name == cp.origin and key_id == kid:
            if check(key, cp.body.encode(), signature):
                return
            raise MonitorError("checkpoint: the log signature does not verify under the pinned key")
    raise MonitorError("checkpoint: no signature of the pinned log key")


def count_cosignatures(cp: Checkpoint, witnesses: list[tuple[str, bytes]]) -> int:
    """Valid ``cosignature/v1`` lines (C2SP tlog-cosignature) of the pinned witnesses."""
    valid = 0
    for wname, wkey in witnesses:
        kid = _key_id(wname, 0x04, wkey)
        for name, key_id, signature in cp.signatures:
            if name != wname or key_id != kid or len(signature) != 72:
                continue
            (timestamp,) = struct.unpack(">Q", signature[:8])
            message = f"cosignature/v1\ntime {timestamp}\n".encode() + cp.body.encode()
            if _ed25519_ok(wkey, message, signature[8:]):
                valid += 1
                break
    return valid


# --- the log's entries ---------------------------------------------------------------------


def leaf_of(entry: dict[str, Any], h: Any) -> bytes:
    """The leaf of docs/ledger.md: ``HASH(0x00 || canonical JSON of the entry's fields)``."""
    payload_hash = hashlib.sha256(entry["payload"].encode("utf-8")).hexdigest()
    data = {
        "actor": entry["actor_id"],
        "actor_label": entry["actor_label"],
        "agency": entry["agency_id"],
        "case": entry["case_id"],
        "event": entry["event_type"],
        "payload_sha256": payload_hash,
        "t": entry["t"],
    }
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return h(b"\x00" + text.encode("utf-8"))


# --- fetching -----------------------------------------------------------------------------------


def fetch(base: str, path: str, **params: object) -> bytes:
    url = urllib.parse.urljoin(base, path)
    if params:
        url += "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the log's URL
            return bytes(response.read())
    except urllib.error.HTTPError as err:
        detail = err.read().decode("utf-8", "replace")[:300]
        raise MonitorError(f"{url}: HTTP {err.code} {detail}") from err
    except OSError as err:
        raise MonitorError(f"{url}: {err}") from err


def fetch_json(base: str, path: str, **params: object) -> dict[str, Any]:
    try:
        value = json.loads(fetch(base, path, **params))
    except ValueError as err:
        raise MonitorError(f"{path}: not JSON") from err
    if not isinstance(value, dict):
        raise MonitorError(f"{path}: not a JSON object")
    return value


def _hashes(values: object) -> list[bytes]:
    if not isinstance(values, list):
        raise MonitorError("proof: not a list")
    try:
        out = [bytes.fromhex(str(v)) for v in values]
    except ValueError as err:
        raise MonitorError("proof: not hex") from err
    if any(len(v) != 32 for v in out):
        raise MonitorError("proof: an element is not 32 bytes")
    return out


# --- one run ----------------------------------------------------------------------------------


def check_growth(base: str, old: dict[str, Any] | None, cp: Checkpoint, h: Any) -> str:
    if old is None:
        return f"first checkpoint remembered: {cp.size} entries"
    old_size, old_root = int(old["size"]), base64.b64decode(old["root"])
    if cp.size < old_size:
        raise MonitorError(f"rollback: the log shows {cp.size} entries, {old_size} were signed")
    if cp.size == old_size:
        if old_root != cp.root:
            raise MonitorError(f"fork: two different roots signed for {cp.size} entries")
        return f"unchanged: {cp.size} entries"
    if old_size == 0:
        return f"grew from the empty tree to {cp.size} entries"
    answer = fetch_json(base, "consistency.json", first=old_size, second=cp.size)
    if answer.get("first") != old_size or answer.get("second") != cp.size:
        raise MonitorError("consistency: the answer is for other sizes")
    verify_consistency(h, old_size, cp.size, _hashes(answer.get("proof")), old_root, cp.root)
    return f"consistent: {old_size} -> {cp.size} entries"


def check_item(base: str, item: str, cp: Checkpoint, h: Any) -> str:
    bundle = fetch_json(base, "inclusion.json", item=item, tree_size=cp.size)
    entries = bundle.get("entries") or []
    if len(entries) != 1:
        raise MonitorError(f"item {item}: expected one entry")
    entry = entries[0]
    leaf = leaf_of(entry, h)
    if leaf.hex() != entry.get("leaf_hash"):
        raise MonitorError(f"item {item}: the entry does not hash to its leaf")
    verify_inclusion(h, leaf, int(entry["seq"]), cp.size, _hashes(entry.get("proof")), cp.root)
    return f"item {item}: entry {entry['seq']} is in the log"


def run(args: argparse.Namespace) -> list[str]:
    base = args.url if args.url.endswith("/") else args.url + "/"
    cp = parse_note(fetch(base, "checkpoint").decode("utf-8"))
    check_log_signature(cp, base64.b64decode(args.log_key))
    witnesses = []
    for spec in args.witness:
        name, _, key = spec.partition(" ")
        witnesses.append((name, base64.b64decode(key.strip())))
    if args.quorum:
        valid = count_cosignatures(cp, witnesses)
        if valid < args.quorum:
            raise MonitorError(f"witnesses: {valid} valid cosignatures, {args.quorum} required")
    h = _hash_fn(cp.hash_name)
    state_path = Path(args.state)
    state = json.loads(state_path.read_text("utf-8")) if state_path.exists() else {}
    report = [check_growth(base, state.get(cp.origin), cp, h)]
    report += [check_item(base, item, cp, h) for item in args.item]
    state[cp.origin] = {
        "size": cp.size,
        "root": base64.b64encode(cp.root).decode("ascii"),
        "note": cp.note,
    }
    tmp = state_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), "utf-8")
    os.replace(tmp, state_path)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Follow a Sanxiang public log (a monitor).")
    parser.add_argument("url", help="the public log, e.g. https://host/gongshi/ledger/")
    parser.add_argument("--log-key", required=True, help="the log's public key (base64)")
    parser.add_argument("--state", default="monitor-state.json")
    parser.add_argument("--witness", action="append", default=[], help='"name base64-key"')
    parser.add_argument("--quorum", type=int, default=0)
    parser.add_argument("--item", action="append", default=[], help="a published item's id")
    args = parser.parse_args(argv)
    try:
        report = run(args)
    except (MonitorError, KeyError, TypeError, ValueError) as err:
        print(f"FAIL {err}")
        print("账本核验未通过")
        return 1
    for line in report:
        print(f"OK {line}")
    print("账本核验通过")
    return 0


if __name__ == "__main__":
    sys.exit(main())
