"""The 双随机 draw at district scale: 5 % of 1,000,000 targets, 300 inspectors, with recusal.

Input: one million targets (three risk grades, a 重点 rule drawing 20 % of the high grade, 2 %
already inspected this year for the plan's matter), 300 inspectors of two agencies, each with
a few declared target conflicts, earlier inspections and one declared area out of sixty.

* ``inspection_draw``: ``sanxiang.lib.draw.draw`` (check, strata, Fisher–Yates, teams of two
  with recusal) on the frozen input. Baseline in the same run: a bare ``random.sample`` of the
  same number of targets from the same id list, plus two ``random.sample`` of inspectors per
  target without recusal. ratio = baseline time / our time (higher is better).
* ``inspection_draw_joint``: the same draw as a 联合抽查 of the two agencies
  (``sanxiang-draw/2``: each target in one agency's library, mixed teams of three: two of the
  target's agency, one of the other), against the same baseline with teams of three.
* ``inspection_verify``: ``tools/verify_draw.py`` re-running a certificate of that draw in
  another process (reading the JSON, hashing the lists, re-drawing, comparing); ratio = the
  draw alone / the whole verification, i.e. how much reading and hashing add.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import emit  # noqa: E402 - after the sys.path set-up
from sanxiang.lib import draw  # noqa: E402

# SANXIANG_BENCH_INSPECTION_TARGETS: a reduced size for a first run (the is 1,000,000).
TARGETS = int(os.environ.get("SANXIANG_BENCH_INSPECTION_TARGETS", "1000000"))
AGENCIES = ["民宗局", "市场监管局"]
INSPECTORS = 300
AREAS = [f"街道{i:02d}" for i in range(60)]


def build_input(rng: random.Random, *, joint: bool = False) -> dict:
    targets = [
        {
            "id": f"9121{i:014d}",
            "grade": rng.choices(("low", "medium", "high"), (70, 25, 5))[0],
            "area": AREAS[i % len(AREAS)],
            "checked": ["MZ-JC-01"] if rng.random() < 0.02 else [],
            "complaint": False,
            "agency": AGENCIES[i % 3 == 0],
        }
        for i in range(TARGETS)
    ]
    inspectors = [
        {
            "id": f"2110{j:04d}",
            "agency": "民宗局" if j % 2 else "市场监管局",
            "valid_from": "2024-01-01",
            "valid_to": "2028-12-31",
            "conflict_targets": [f"9121{rng.randrange(TARGETS):014d}" for _ in range(3)],
            "conflict_areas": [AREAS[j % len(AREAS)]],
            "inspected_targets": [f"9121{rng.randrange(TARGETS):014d}" for _ in range(20)],
        }
        for j in range(INSPECTORS)
    ]
    plan = {
        "id": "BENCH-2026",
        "title": "基准",
        "year": 2026,
        "matters": ["MZ-JC-01"],
        "period": {"start": "2026-03-02", "end": "2026-12-31"},
        "ratio": "5",
        "count": None,
        "team_size": 2,
        "key_rules": [{"grade": "high", "ratio": "20", "exempt_cap": False}],
        "agencies": [],
    }
    if joint:
        plan.update(agencies=AGENCIES, team_mix="mixed", team_size=3)
    return draw.input_document(plan=plan, targets=targets, inspectors=inspectors)


def main() -> None:
    rng = random.Random(20261203)
    document = build_input(rng)
    seed = bytes(range(32))

    start = time.perf_counter()
    result = draw.draw(document, seed)
    ours = time.perf_counter() - start
    picked = len(result["selected"])
    assert picked >= TARGETS * 5 // 100

    ids = [t["id"] for t in document["targets"]]
    inspector_ids = [i["id"] for i in document["inspectors"]]
    start = time.perf_counter()
    for _ in random.sample(ids, picked):
        random.sample(inspector_ids, 2)
    baseline = time.perf_counter() - start
    emit(
        "inspection_draw",
        value=ours,
        unit="s",
        ratio=baseline / ours,
        target="0.05",
        goal=f"draw_{picked}_of_{TARGETS}_with_recusal<10s",
    )

    joint = build_input(random.Random(20261203), joint=True)
    start = time.perf_counter()
    joint_result = draw.draw(joint, seed)
    ours_joint = time.perf_counter() - start
    assert joint_result["algorithm"] == "sanxiang-draw/2"
    picked_joint = len(joint_result["selected"])
    start = time.perf_counter()
    for _ in random.sample(ids, picked_joint):
        random.sample(inspector_ids, 3)
    baseline_joint = time.perf_counter() - start
    emit(
        "inspection_draw_joint",
        value=ours_joint,
        unit="s",
        ratio=baseline_joint / ours_joint,
        target="0.05",
        goal=f"joint_draw_{picked_joint}_of_{TARGETS}_mixed_teams<10s",
    )
    del joint, joint_result

    hashes = draw.hashes(document)
    with tempfile.TemporaryDirectory() as tmp:
        sys.path.insert(0, str(ROOT / "sanxiang" / "lib" / "tests"))
        from sanxiang.lib.tests import draw_fixtures

        cert = draw_fixtures.certificate(document)
        assert cert["input_sha256"] == hashes["input_sha256"]
        path = Path(tmp) / "cert.json"
        path.write_text(json.dumps(cert, ensure_ascii=False), encoding="utf-8")
        start = time.perf_counter()
        done = subprocess.run(  # noqa: S603 - our own script
            [
                sys.executable,
                str(ROOT / "tools" / "verify_draw.py"),
                str(path),
                "--public-key",
                draw_fixtures.public_key_b64(),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        verify = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    emit(
        "inspection_verify",
        value=verify,
        unit="s",
        ratio=ours / verify,
        target="0.1",
        goal="re-run_of_a_1M-target_certificate<60s",
    )


if __name__ == "__main__":
    main()
