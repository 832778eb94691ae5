"""The nine points a legal review checks (DOMAIN.md, 法制审核; 国办发〔2018〕118号 审核内容)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    code: str
    label: str


POINTS: tuple[Point, ...] = (
    Point("subject", "主体合法"),
    Point("qualification", "人员具备执法资格"),
    Point("procedure", "程序合法"),
    Point("facts", "事实清楚、证据合法充分"),
    Point("basis", "适用依据准确"),
    Point("discretion", "裁量适当"),
    Point("authority", "未超越法定权限"),
    Point("documents", "文书完备规范"),
    # "passed" means: no suspected crime, or the transfer to the judicial organs is arranged.
    Point("transfer", "是否涉嫌犯罪需移送"),
)
CODES = tuple(p.code for p in POINTS)
LABELS = {p.code: p.label for p in POINTS}


@dataclass(frozen=True)
class Mark:
    """The reviewer's mark on one point: passed, or a written problem."""

    code: str
    passed: bool
    problem: str = ""


# What the case unit hands in with a draft (the completeness check before acceptance).
MATERIALS: tuple[tuple[str, str], ...] = (
    ("case_file", "案卷材料（截至目前）"),
    ("evidence_list", "证据清单"),
    ("draft_decision", "决定书草稿"),
    ("discretion_reasoning", "裁量说明"),
    ("hearing_record", "听证笔录"),
)
MATERIAL_LABELS = dict(MATERIALS)
