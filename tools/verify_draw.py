#!/usr/bin/env python3
"""Re-run a 双随机 draw from its published certificate: no Django, no database, no network.

What anyone runs on the certificate downloaded from the portal (docs/draw.md)::

    python tools/verify_draw.py certificate.json --public-key BASE64 [--json]

It checks, in order:

1. the canonical SHA-256 hashes of the frozen plan and of both candidate lists;
2. the seed entry (the plan's freeze, or the recorded request of a second draw): its payload
   names that plan hash and round, its payload hash and Merkle leaf recompute (docs/ledger.md),
   and its inclusion proof leads to the root of the checkpoint the certificate names;
3. that checkpoint's signature under the key the agency publishes (``--public-key``);
4. the seed ``SHA-256(plan hash || checkpoint root)``;
5. the draw itself (``sanxiang.lib.draw``, algorithm ``sanxiang-draw/1``, or ``/2`` for a
   联合抽查 of several agencies, whose input is ``sanxiang-draw-input/2``): the targets and the
   teams must be exactly those the certificate publishes. Certificates of either version
   verify; the certificate format itself is unchanged.

Exit 0 when everything holds under the pinned key; 1 with each problem; 2 when the draw
re-runs identically but no key was pinned (the certificate's own key proves only that it is
self-consistent). ``--json`` prints the recomputed seed and result as canonical JSON on stdout.

Imports only ``sanxiang/lib`` (draw, merkle, canonical, errors) and ``verify_bundle.py`` beside
it, plus ``cryptography`` (Ed25519) or ``gmssl`` (SM2).
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import verify_bundle

from sanxiang.lib import draw, merkle
from sanxiang.lib.canonical import canonical_json


def check_seed_source(
    certificate: dict[str, Any], public_key: str | None
) -> tuple[list[str], list[str]]:
    """The ledger half: entry, inclusion proof, checkpoint signature. (problems, notes)"""
    source = certificate["seed_source"]
    found = verify_bundle.Findings()
    key = source.get("public_key") or {}
    if public_key:
        if key and key.get("public_key") != public_key:
            found.notes.append("证书内公钥与所给公钥不同：以所给公钥为准")
        algorithm = key.get("algorithm") or (
            "sm2" if len(base64.b64decode(public_key)) == 64 else "ed25519"
        )
        key = {"algorithm": algorithm, "public_key": public_key}
    elif not key:
        raise verify_bundle.Unreadable("证书内没有公钥，请用 --public-key 给出检查点签名公钥")
    else:
        found.notes.append(
            f"使用证书内公钥（{key['algorithm']}，标识 {key.get('key_id')}）："
            "请与执法机关公布的公钥核对"
        )
    checkpoint, entry = source["checkpoint"], source["entry"]
    hash_name = checkpoint.get("hash", "sha256")
    verify_bundle.check_checkpoint(checkpoint, key, found)
    leaf = verify_bundle.check_entry(entry, hash_name, found)
    size, seq = int(checkpoint["tree_size"]), int(entry["seq"])
    try:
        merkle.verify_inclusion(
            leaf,
            seq,
            size,
            [bytes.fromhex(p) for p in source["proof"]],
            bytes.fromhex(checkpoint["root_hash"]),
            hash_name=hash_name,
        )
    except merkle.ProofError as err:
        found.bad(seq, f"冻结记录（序号 {seq}）不在所列检查点中：存在性证明不成立（{err}）")
    found.notes.append(
        f"种子来源：账本序号 {seq} 的{entry['event_type']}，"
        f"其后首个签名检查点（{size} 条，{checkpoint['time']}）"
    )
    return [message for _, message in found.problems], found.notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="离线重新抽取并核验双随机抽查证书")
    parser.add_argument("certificate", type=Path)
    parser.add_argument("--public-key", help="检查点签名公钥（Base64），取自执法机关公布的值")
    parser.add_argument("--json", action="store_true", help="在标准输出打印重算的种子与结果")
    args = parser.parse_args(argv)
    try:
        certificate = json.loads(args.certificate.read_bytes().decode("utf-8"))
        if not isinstance(certificate, dict):
            raise verify_bundle.Unreadable("文件内容不是抽取证书")
        problems, result = draw.rerun(certificate)
        ledger_problems, notes = check_seed_source(certificate, args.public_key)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        print(f"核验失败：无法读取或解析 {args.certificate}：{err}", file=sys.stderr)
        return 1
    except (verify_bundle.Unreadable, KeyError, TypeError, ValueError) as err:
        message = err if isinstance(err, verify_bundle.Unreadable) else f"字段缺失或有误：{err!r}"
        print(f"核验失败：{message}", file=sys.stderr)
        return 1
    human = sys.stderr if args.json else sys.stdout
    problems += ledger_problems
    if args.json and result is not None:
        print(canonical_json({"seed": certificate.get("seed"), "result": result}))
    for note in notes:
        print(note, file=human)
    if result is not None:
        print(
            f"重新抽取（{result['algorithm']}）：{len(result['selected'])} 个检查对象，"
            f"使用随机数 {result['values_used']} 个",
            file=human,
        )
    if problems:
        for message in problems:
            print(message, file=sys.stderr)
        print("核验失败。", file=sys.stderr)
        return 1
    if not args.public_key:
        print(
            "未完全核验：重新抽取结果与证书一致，但没有用 --public-key 固定执法机关公布的公钥，"
            "不能排除证书连同检查点被他人重新签名。",
            file=sys.stderr,
        )
        return 2
    print("核验通过：重新抽取的检查对象和检查组与证书完全一致。", file=human)
    return 0


if __name__ == "__main__":
    sys.exit(main())
