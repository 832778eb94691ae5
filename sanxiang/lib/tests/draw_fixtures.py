"""A small frozen plan and a certificate signed by a throw-away log key, built without Django."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sanxiang.lib import draw, merkle
from sanxiang.lib.canonical import canonical_json

ROOT = Path(__file__).resolve().parents[3]
ORIGIN = "gongshi.test/ledger"
# A fixed key, so that the certificate (and its signature) is the same on every machine.
LOG_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"sanxiang draw test key").digest())


def public_key_b64() -> str:
    raw = LOG_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def tool(name: str) -> ModuleType:
    """A script of tools/ loaded as a module."""
    module_name = f"sx_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    sys.path.insert(0, str(ROOT / "tools"))
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "tools" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def small_input(**plan_changes: Any) -> dict[str, Any]:
    """Twelve 宗教活动场所 and friends, five inspectors of two agencies, one 重点 grade."""
    grades = ["low", "low", "medium", "high", "low", "medium"]
    targets = [
        {
            "id": f"91210000MA0{i:02d}",
            "grade": grades[i % len(grades)],
            "area": ["兴隆台街道", "振兴街道", "渤海街道"][i % 3],
            "checked": ["MZ-JC-01"] if i == 7 else [],
            "complaint": i == 11,
        }
        for i in range(12)
    ]
    targets[11]["checked"] = ["MZ-JC-01"]  # inspected already, but a complaint came in
    inspectors = [
        {
            "id": f"21100{j}",
            "agency": "民宗局" if j < 3 else "市场监管局",
            "valid_from": "2024-01-01",
            "valid_to": "2028-12-31",
            "conflict_targets": ["91210000MA003"] if j == 0 else [],
            "conflict_areas": ["渤海街道"] if j == 4 else [],
            "inspected_targets": ["91210000MA005"] if j == 1 else [],
        }
        for j in range(5)
    ]
    plan = {
        "id": "XLT-2026-001",
        "title": "2026年宗教事务随机抽查",
        "year": 2026,
        "matters": ["MZ-JC-01"],
        "period": {"start": "2026-03-02", "end": "2026-03-31"},
        "ratio": "25",
        "count": None,
        "team_size": 2,
        "key_rules": [{"grade": "high", "ratio": "50", "exempt_cap": False}],
        "agencies": [],
    }
    plan.update(plan_changes)
    return draw.input_document(plan=plan, targets=targets, inspectors=inspectors)


def entry_record(seq: int, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    body = canonical_json(payload)
    payload_hash = hashlib.sha256(body.encode()).hexdigest()
    record = {
        "seq": seq,
        "t": f"2026-02-27T08:00:{seq:02d}.000000Z",
        "actor_id": 3,
        "actor_label": "head",
        "agency_id": 1,
        "case_id": None,
        "event_type": event,
        "payload": body,
        "payload_hash": payload_hash,
    }
    leaf = merkle.leaf_hash(tool("verify_bundle").leaf_input(record, payload_hash))
    record["leaf_hash"] = leaf.hex()
    return record


def certificate(document: dict[str, Any], *, round_no: int = 1, reason: str = "") -> dict:
    """A certificate whose seed entry sits at position 3 of a 6-entry log, signed."""
    verify_bundle = tool("verify_bundle")
    hashes = draw.hashes(document)
    payload = {"plan": document["plan"]["id"], **hashes, "round": round_no}
    if reason:
        payload["reason"] = reason
    others = [entry_record(i, "case.opened", {"n": i}) for i in range(6)]
    seed_entry = entry_record(3, draw.seed_entry_event(round_no), payload)
    others[3] = seed_entry
    leaves = [bytes.fromhex(e["leaf_hash"]) for e in others]
    root = merkle.root_hash(leaves)
    checkpoint = {
        "id": 1,
        "origin": ORIGIN,
        "tree_size": len(leaves),
        "root_hash": root.hex(),
        "hash": "sha256",
        "time": "2026-02-27T08:10:00.000000Z",
        "algorithm": "ed25519",
    }
    raw_public = base64.b64decode(public_key_b64())
    checkpoint["key_id"] = verify_bundle.key_id("ed25519", ORIGIN, raw_public)
    signature = LOG_KEY.sign(verify_bundle.note_body(checkpoint).encode())
    checkpoint["signature"] = base64.b64encode(signature).decode()
    seed = draw.seed_from(input_sha256=hashes["input_sha256"], checkpoint_root=root.hex())
    return {
        "format": draw.CERTIFICATE_FORMAT,
        "algorithm": draw.ALGORITHM_OF[document["format"]],
        "plan_id": document["plan"]["id"],
        "round": round_no,
        "reason": reason,
        "input": document,
        **hashes,
        "seed_source": {
            "entry": seed_entry,
            "proof": [p.hex() for p in merkle.inclusion_proof(leaves, 3)],
            "checkpoint": checkpoint,
            "public_key": {
                "algorithm": "ed25519",
                "origin": ORIGIN,
                "key_id": checkpoint["key_id"],
                "public_key": public_key_b64(),
            },
        },
        "seed": seed.hex(),
        "result": draw.draw(document, seed),
    }


def joint_input(team_mix: str = "mixed", **plan_changes: Any) -> dict[str, Any]:
    """A 联合抽查 (sanxiang-draw/2) of 民宗局 and 市场监管局: fourteen 清真食品经营者, eight
    in the first library and six in the second, four inspectors of each agency."""
    targets: list[dict[str, Any]] = [
        {
            "id": f"91210000MB0{i:02d}",
            "grade": ["low", "medium", "high", "low"][i % 4],
            "area": ["兴隆台街道", "振兴街道"][i % 2],
            "checked": [],
            "complaint": False,
            "agency": "民宗局" if i < 8 else "市场监管局",
        }
        for i in range(14)
    ]
    inspectors = [
        {
            "id": f"2120{j:02d}",
            "agency": "民宗局" if j < 4 else "市场监管局",
            "valid_from": "2024-01-01",
            "valid_to": "2028-12-31",
            "conflict_targets": ["91210000MB001"] if j == 0 else [],
            "conflict_areas": ["振兴街道"] if j == 5 else [],
            "inspected_targets": [],
        }
        for j in range(8)
    ]
    plan = {
        "id": "XLT-2026-LH-01",
        "title": "2026年清真食品经营者部门联合随机抽查",
        "year": 2026,
        "matters": ["MZ-JC-02", "SJ-JC-07"],
        "period": {"start": "2026-03-02", "end": "2026-03-31"},
        "ratio": "50",
        "count": None,
        "team_size": 3 if team_mix == "mixed" else 2,
        "key_rules": [],
        "agencies": ["民宗局", "市场监管局"],
        "team_mix": team_mix,
    }
    plan.update(plan_changes)
    return draw.input_document(plan=plan, targets=targets, inspectors=inspectors)
