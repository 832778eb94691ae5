#!/usr/bin/env python3
"""Check a Sanxiang ledger bundle offline: no Django, no database, no network.

What a court or the justice bureau runs on an export::

    python tools/verify_bundle.py ledger.zip [--public-key BASE64]
    python tools/verify_bundle.py case-proofs.json --public-key BASE64
    python tools/verify_bundle.py ledger.zip --public-key BASE64 \
        --trusted-checkpoint remembered.txt --witness-key "sfj.example/witness BASE64" \
        --quorum 1 --max-age-hours 24

It reads either format of docs/ledger.md:

* ``sanxiang-ledger-bundle/1`` (``manage.py export_ledger``): every entry and checkpoint. Each
  payload and leaf is recomputed, positions must run 0, 1, 2, ... without gap, each checkpoint
  root is recomputed from the leaves (RFC 9162 §2.1) and its signature checked, and
  consecutive checkpoints are checked with consistency proofs (§2.1.4).
* ``sanxiang-inclusion-bundle/1`` (``ledger.services.inclusion_bundle``, the 电子案卷): some
  entries with inclusion proofs (§2.1.3) against one signed checkpoint; also a single proof
  from ``ledger.services.prove_inclusion``.

The checkpoint key must be pinned with ``--public-key`` (the value the agency publishes, obtained
from somewhere other than the bundle): a bundle re-signed by whoever made it carries its own key,
so without a pinned key the checks prove only self-consistency, and the verifier says so and
exits 2 instead of "核验通过".
Trusting nothing that came with the bundle, as ``manage.py verify_ledger`` does on the host:
``--trusted-checkpoint`` is a signed checkpoint note obtained elsewhere (a witness's monitoring
URL, the portal, an earlier audit); the bundle must contain it (the root recomputed from its
entries at that size equals the note's), so a bundle truncated before it, rolled back or
forked fails. ``--witness-key`` (repeatable) with ``--quorum`` (default: every key given):
the bundle's latest checkpoint must carry that many valid cosignatures of those witnesses
(``cosignatures`` in each checkpoint record). ``--max-age-hours``: the latest checkpoint,
and every entry not yet under one, must be younger than that (an old bundle, or one whose
later checkpoints were removed, fails); off by default, since a case file is read years on.
Exit 0 when everything holds under the pinned key; 1 naming the first bad sequence number
(``first_bad_seq=N``), or saying why the file cannot be read (damaged, one byte changed); 2 when
the bundle is self-consistent but no key was pinned.

Imports only ``sanxiang.lib.merkle``, ``sanxiang.lib.canonical`` and, for trusted checkpoints
and witnesses, ``sanxiang.lib.tlog`` (pure Python) from the project, plus ``cryptography``
(Ed25519) or ``gmssl`` (SM2).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

from sanxiang.lib import merkle
from sanxiang.lib.canonical import canonical_bytes

LEDGER_BUNDLE = "sanxiang-ledger-bundle/1"
INCLUSION_BUNDLE = "sanxiang-inclusion-bundle/1"
_TYPE_BYTE = {"ed25519": b"\x01", "sm2": b"\xff"}


class Unreadable(Exception):
    pass


@dataclass(frozen=True)
class Trust:
    """What the person running the verifier obtained elsewhere than from the bundle."""

    trusted_note: str | None = None  # a signed checkpoint note, remembered
    witnesses: tuple[tuple[str, bytes], ...] = ()  # (name, Ed25519 public key)
    quorum: int = 0
    max_age: timedelta | None = None
    now: datetime | None = None  # for the age bound; the clock when None


class Findings:
    def __init__(self) -> None:
        self.problems: list[tuple[int, str]] = []
        self.notes: list[str] = []

    def bad(self, seq: int, message: str) -> None:
        self.problems.append((seq, message))

    @property
    def first_bad_seq(self) -> int | None:
        return min((seq for seq, _ in self.problems), default=None)


# --- the definitions every verifier follows (docs/ledger.md) --------------------------------


def leaf_input(entry: dict[str, Any], payload_hash: str) -> bytes:
    return canonical_bytes(
        {
            "t": entry["t"],
            "actor": entry["actor_id"],
            "actor_label": entry["actor_label"],
            "agency": entry["agency_id"],
            "case": entry["case_id"],
            "event": entry["event_type"],
            "payload_sha256": payload_hash,
        }
    )


def note_body(cp: dict[str, Any]) -> str:
    lines = [
        cp["origin"],
        str(cp["tree_size"]),
        base64.b64encode(bytes.fromhex(cp["root_hash"])).decode(),
    ]
    if cp.get("hash", "sha256") != "sha256":
        lines.append(f"hash {cp['hash']}")
    lines.append(f"time {cp['time']}")
    return "\n".join(lines) + "\n"


def key_id(algorithm: str, origin: str, public_key: bytes) -> str:
    return (
        hashlib.sha256(origin.encode() + b"\n" + _TYPE_BYTE[algorithm] + public_key)
        .digest()[:4]
        .hex()
    )


def signature_valid(algorithm: str, public_key: bytes, message: bytes, signature: bytes) -> bool:
    if algorithm == "ed25519":
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True
    if algorithm == "sm2":
        from gmssl import sm2

        if len(signature) != 64 or len(public_key) != 64:
            return False
        crypt = sm2.CryptSM2(private_key="", public_key=public_key.hex())
        crypt.public_key = public_key.hex()  # gmssl's lstrip("04") can eat leading digits
        return bool(crypt.verify_with_sm3(signature.hex(), message))
    return False


# --- checks ------------------------------------------------------------------------------


def check_entry(entry: dict[str, Any], hash_name: str, found: Findings) -> bytes:
    """Recompute payload hash and leaf; return the recomputed leaf hash."""
    seq = entry["seq"]
    payload_hash = hashlib.sha256(entry["payload"].encode("utf-8")).hexdigest()
    if payload_hash != entry["payload_hash"]:
        found.bad(seq, f"序号 {seq}：内容与内容摘要不符（内容被改动）")
    leaf = merkle.leaf_hash(leaf_input(entry, payload_hash), hash_name=hash_name)
    if leaf.hex() != entry["leaf_hash"]:
        found.bad(seq, f"序号 {seq}：叶子摘要与条目字段不符（条目被改动）")
    return leaf


def check_checkpoint(cp: dict[str, Any], key: dict[str, Any], found: Findings) -> None:
    seq = max(int(cp["tree_size"]) - 1, 0)
    public = base64.b64decode(key["public_key"])
    if cp["algorithm"] != key["algorithm"] or cp["key_id"] != key_id(
        key["algorithm"], cp["origin"], public
    ):
        found.bad(seq, f"检查点（{cp['tree_size']} 条）不是由所给公钥签署的")
        return
    try:
        signature = base64.b64decode(cp["signature"], validate=True)
    except ValueError:
        signature = b""
    if not signature_valid(key["algorithm"], public, note_body(cp).encode("utf-8"), signature):
        found.bad(seq, f"检查点（{cp['tree_size']} 条）签名无效（伪造、改动或挪用的签名）")


def check_ledger_bundle(
    bundle: dict[str, Any], key: dict[str, Any], found: Findings, trust: Trust
) -> None:
    hash_name = bundle.get("hash", "sha256")
    leaves: list[bytes] = []
    for position, entry in enumerate(bundle["entries"]):
        seq = entry["seq"]
        if seq != position:
            found.bad(
                min(seq, position), f"位置 {position} 的条目序号为 {seq}：序号缺失、重复或乱序"
            )
        leaves.append(check_entry(entry, hash_name, found))
    checkpoints = sorted(bundle["checkpoints"], key=lambda c: int(c["tree_size"]))
    trusted = _trusted_checkpoint(trust, key, _origin(bundle, checkpoints), found)
    sizes = {int(c["tree_size"]) for c in checkpoints} | ({trusted[0]} if trusted else set())
    stack_root = _prefix_roots(leaves, sizes, hash_name)
    if trusted is not None:
        size, root = trusted
        if size > len(leaves):
            found.bad(
                len(leaves),
                f"受信任检查点声明 {size} 条，包内只有 {len(leaves)} 条"
                f"（序号 {len(leaves)} 起的条目缺失：账本被截断或回滚）",
            )
        elif stack_root[size] != root:
            found.bad(
                max(size - 1, 0),
                f"受信任检查点（条目数 {size}）的根摘要与包内条目重算结果不符："
                f"序号 0–{size - 1} 之中有条目被改动、删除或换位（分叉的账本）",
            )
    for cp in checkpoints:
        size = int(cp["tree_size"])
        check_checkpoint(cp, key, found)
        if size > len(leaves):
            found.bad(
                len(leaves), f"检查点声明 {size} 条，包内只有 {len(leaves)} 条（其后的条目缺失）"
            )
            continue
        if stack_root[size].hex() != cp["root_hash"]:
            found.bad(
                max(size - 1, 0),
                f"检查点（{size} 条）的根摘要与条目重算结果不符："
                f"前 {size} 条中有条目被改动、删除或换位",
            )
    for old, new in itertools.pairwise(checkpoints):
        m, n = int(old["tree_size"]), int(new["tree_size"])
        if n > len(leaves) or m == n:
            continue
        try:
            proof = merkle.consistency_proof(leaves[:n], m, hash_name=hash_name)
            merkle.verify_consistency(
                m,
                n,
                proof,
                bytes.fromhex(old["root_hash"]),
                bytes.fromhex(new["root_hash"]),
                hash_name=hash_name,
            )
        except merkle.ProofError as err:
            found.bad(max(n - 1, 0), f"检查点 {m} 条与 {n} 条之间的一致性证明不成立：{err}")
    _check_witnesses(checkpoints[-1] if checkpoints else None, trust, found)
    _check_age(checkpoints, bundle["entries"], trust, found)
    last = int(checkpoints[-1]["tree_size"]) if checkpoints else 0
    if len(leaves) > last:
        found.notes.append(
            f"序号 {last} 起的 {len(leaves) - last} 条尚无签名检查点覆盖（只核对了其自身摘要）"
        )
    found.notes.append(f"条目 {len(leaves)} 条，检查点 {len(checkpoints)} 个")


def _prefix_roots(leaves: list[bytes], sizes: set[int], hash_name: str) -> dict[int, bytes]:
    """MTH of each requested prefix, in one pass (the fold of RFC 9162 §2.1.1)."""
    roots = {0: merkle.hash_bytes(b"", hash_name=hash_name)} if 0 in sizes else {}
    stack: list[bytes] = []
    for count, leaf in enumerate(leaves, 1):
        value, merges = leaf, count
        while not merges & 1:
            value = merkle.node_hash(stack.pop(), value, hash_name=hash_name)
            merges >>= 1
        stack.append(value)
        if count in sizes:
            roots[count] = merkle.root_from_perfect_subtrees(stack, hash_name=hash_name)
    return roots


def check_inclusion_bundle(
    bundle: dict[str, Any], key: dict[str, Any], found: Findings, trust: Trust
) -> None:
    cp = bundle["checkpoint"]
    hash_name = cp.get("hash", "sha256")
    check_checkpoint(cp, key, found)
    size, root = int(cp["tree_size"]), bytes.fromhex(cp["root_hash"])
    trusted = _trusted_checkpoint(trust, key, cp["origin"], found)
    if trusted is not None:
        if trusted[0] == size and trusted[1] != root:
            found.bad(max(size - 1, 0), "受信任检查点与包内检查点条目数相同而根摘要不同（分叉）")
        elif trusted[0] != size:
            found.notes.append(
                f"受信任检查点（{trusted[0]} 条）与包内检查点（{size} 条）大小不同："
                "存在性证明包不含一致性证明，请以账本包核对"
            )
    _check_witnesses(cp, trust, found)
    _check_age([cp], [], trust, found)
    for entry in bundle["entries"]:
        seq = entry["seq"]
        leaf = check_entry(entry, hash_name, found)
        proof = [bytes.fromhex(p) for p in entry["proof"]]
        try:
            merkle.verify_inclusion(leaf, seq, size, proof, root, hash_name=hash_name)
        except merkle.ProofError as err:
            found.bad(seq, f"序号 {seq}：存在性证明不成立（{err}）")
    found.notes.append(
        f"{len(bundle['entries'])} 条条目对检查点（{size} 条，{cp['time']}）的存在性证明"
    )


def _origin(bundle: dict[str, Any], checkpoints: list[dict[str, Any]]) -> str:
    if checkpoints:
        return str(checkpoints[-1]["origin"])
    return str((bundle.get("public_key") or {}).get("origin", ""))


def _trusted_checkpoint(
    trust: Trust, key: dict[str, Any], origin: str, found: Findings
) -> tuple[int, bytes] | None:
    """(size, root) of the remembered note, if it is this log's and signed by the pinned key."""
    if trust.trusted_note is None:
        return None
    from sanxiang.lib import tlog

    try:
        note = tlog.parse_note(trust.trusted_note)
        parsed = tlog.parse_checkpoint(note.body)
    except tlog.NoteError as err:
        found.bad(0, f"受信任检查点无法读取：{err}")
        return None
    if parsed.origin != origin:
        found.bad(0, f"受信任检查点属于日志 {parsed.origin}，不是本包的日志 {origin}")
        return None
    public = base64.b64decode(key["public_key"])
    kid = bytes.fromhex(key_id(key["algorithm"], parsed.origin, public))
    if not any(
        sig.name == parsed.origin
        and sig.key_id == kid
        and signature_valid(key["algorithm"], public, note.body.encode(), sig.signature)
        for sig in note.signatures
    ):
        found.bad(max(parsed.size - 1, 0), "受信任检查点没有所给公钥的有效签名")
        return None
    return parsed.size, parsed.root


def _check_witnesses(cp: dict[str, Any] | None, trust: Trust, found: Findings) -> None:
    """The latest checkpoint must carry ``quorum`` valid cosignatures of pinned witnesses."""
    if not trust.witnesses:
        return
    if cp is None:
        found.bad(0, "包内没有检查点，无从核对见证签名")
        return
    from sanxiang.lib import tlog

    body = note_body(cp)
    valid = set()
    for line in cp.get("cosignatures") or []:
        try:
            sig = tlog.parse_note(body + "\n" + line + "\n").signatures[0]
        except tlog.NoteError:
            continue
        for name, public in trust.witnesses:
            if tlog.CosignerKey(name, public).timestamp_of(body, sig) is not None:
                valid.add(name)
    if len(valid) < trust.quorum:
        size = int(cp["tree_size"])
        found.bad(
            max(size - 1, 0),
            f"最新检查点（{size} 条）只有 {len(valid)} 个有效见证签名，少于要求的 "
            f"{trust.quorum} 个：检查点可能未经见证、被删除或被回滚",
        )
    else:
        names = ", ".join(sorted(valid))
        found.notes.append(f"最新检查点有 {len(valid)} 个有效见证签名（{names}）")


def _parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _check_age(
    checkpoints: list[dict[str, Any]], entries: list[dict[str, Any]], trust: Trust, found: Findings
) -> None:
    """The latest checkpoint, and every entry outside all checkpoints, younger than the bound."""
    if trust.max_age is None:
        return
    now = trust.now or datetime.now(tz=UTC)
    latest = checkpoints[-1] if checkpoints else None
    covered = int(latest["tree_size"]) if latest else 0
    if latest is not None and now - _parse_time(latest["time"]) > trust.max_age:
        found.bad(
            max(covered - 1, 0),
            f"最新检查点（{covered} 条，{latest['time']}）已超过 {trust.max_age}："
            "包过旧，或其后的检查点被删除",
        )
    for entry in entries[covered:]:
        if now - _parse_time(entry["t"]) > trust.max_age:
            found.bad(
                entry["seq"],
                f"序号 {entry['seq']} 起的条目超过 {trust.max_age} 仍未进入任何签名检查点"
                "（检查点缺失或被删除）",
            )
        break  # the oldest uncovered entry decides, as in verify_ledger


# --- reading -------------------------------------------------------------------------------


def load(path: Path) -> dict[str, Any]:
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if n.endswith(".json")]
                if not names:
                    raise Unreadable("压缩包中没有 JSON 文件")
                raw = archive.read(names[0])
        else:
            raw = path.read_bytes()
        data = json.loads(raw.decode("utf-8"))
    except (
        OSError,
        EOFError,
        zlib.error,
        zipfile.BadZipFile,
        UnicodeDecodeError,
        json.JSONDecodeError,
        ValueError,
    ) as err:
        raise Unreadable(f"无法读取或解析 {path}：{err}（文件损坏或被改动）") from err
    if not isinstance(data, dict):
        raise Unreadable("文件内容不是账本包")
    if "format" not in data and {"entry", "proof", "checkpoint"} <= data.keys():
        # A single proof from prove_inclusion: the same check as a one-entry inclusion bundle.
        data = {
            "format": INCLUSION_BUNDLE,
            "checkpoint": data["checkpoint"],
            "public_key": data.get("public_key"),
            "entries": [{**data["entry"], "proof": data["proof"]}],
        }
    return data


def verify(data: dict[str, Any], public_key: str | None, trust: Trust | None = None) -> Findings:
    trust = trust or Trust()
    found = Findings()
    key = data.get("public_key") or {}
    if public_key:
        if key and key.get("public_key") != public_key:
            found.notes.append("包内公钥与所给公钥不同：以所给公钥为准")
        algorithm = key.get("algorithm") or (
            "sm2" if len(base64.b64decode(public_key)) == 64 else "ed25519"
        )
        key = {"algorithm": algorithm, "public_key": public_key}
    elif not key:
        raise Unreadable("包内没有公钥，请用 --public-key 给出检查点签名公钥")
    else:
        found.notes.append(
            f"使用包内公钥（{key['algorithm']}，标识 {key.get('key_id')}）："
            "请与执法机关公布的公钥核对"
        )
    if data.get("format") == LEDGER_BUNDLE:
        check_ledger_bundle(data, key, found, trust)
    elif data.get("format") == INCLUSION_BUNDLE:
        check_inclusion_bundle(data, key, found, trust)
    else:
        raise Unreadable(f"不认识的格式：{data.get('format')!r}")
    return found


def _trust(args: argparse.Namespace) -> Trust:
    note = None
    if args.trusted_checkpoint is not None:
        try:
            note = args.trusted_checkpoint.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ValueError(f"无法读取受信任检查点：{err}") from err
    witnesses = []
    for item in args.witness_key:
        parts = item.split()
        if len(parts) != 2:
            raise ValueError(f"--witness-key 应为 '<名称> <base64 公钥>'：{item!r}")
        try:
            witnesses.append((parts[0], base64.b64decode(parts[1], validate=True)))
        except binascii.Error as err:
            raise ValueError(f"--witness-key 的公钥不是有效的 Base64：{item!r}") from err
    quorum = args.quorum if args.quorum is not None else len(witnesses)
    hours = args.max_age_hours
    return Trust(
        trusted_note=note,
        witnesses=tuple(witnesses),
        quorum=quorum,
        max_age=timedelta(hours=hours) if hours else None,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="离线核验三项平台账本包或存在性证明包")
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--public-key", help="检查点签名公钥（Base64），取自执法机关公布的值")
    parser.add_argument(
        "--trusted-checkpoint", type=Path, help="从别处取得的签名检查点文件（见证方或公示平台）"
    )
    parser.add_argument(
        "--witness-key", action="append", default=[], help="'<见证方名称> <base64 公钥>'，可重复"
    )
    parser.add_argument("--quorum", type=int, help="最新检查点至少需要的见证签名数（默认：全部）")
    parser.add_argument(
        "--max-age-hours", type=float, help="最新检查点与未入检查点的条目最长可有多少小时"
    )
    args = parser.parse_args(argv)
    try:
        trust = _trust(args)
    except ValueError as err:
        print(f"核验失败：{err}", file=sys.stderr)
        return 1
    try:
        found = verify(load(args.bundle), args.public_key, trust)
    except (Unreadable, KeyError, TypeError, ValueError) as err:
        message = err if isinstance(err, Unreadable) else f"包结构不完整或字段有误：{err!r}"
        print(f"核验失败：{message}", file=sys.stderr)
        return 1
    for note in found.notes:
        print(note)
    if not found.problems:
        if not args.public_key:
            print(
                "未核验：包内内容自洽，但没有用 --public-key 固定执法机关公布的公钥，"
                "不能排除整包被他人重新签名。",
                file=sys.stderr,
            )
            return 2
        print("核验通过。")
        return 0
    for _, message in sorted(found.problems)[:50]:
        print(message, file=sys.stderr)
    print(f"first_bad_seq={found.first_bad_seq}")
    print(f"核验失败：第一个出错的序号是 {found.first_bad_seq}。", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
