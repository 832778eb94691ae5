"""What the officers tell the persons at the start of a 笔录, each with its article.

Pure data; the 笔录 stores the codes told, the form prints the sentences. 行政处罚法 (2021).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Right:
    code: str
    label: str  # on the screen
    sentence: str  # in the 笔录
    basis: str


RIGHTS: tuple[Right, ...] = (
    Right(
        "certificate",
        "出示执法证件、表明身份",
        "执法人员已出示执法证件，表明身份",
        "《中华人民共和国行政处罚法》第五十五条第一款",
    ),
    Right(
        "recusal",
        "申请回避的权利",
        "告知其认为执法人员与案件有直接利害关系或者有其他关系可能影响公正执法的，有权申请回避",
        "《中华人民共和国行政处罚法》第四十三条",
    ),
    Right(
        "statement",
        "陈述、申辩的权利",
        "告知其享有陈述、申辩的权利",
        "《中华人民共和国行政处罚法》第七条、第四十五条",
    ),
    Right(
        "truthful",
        "如实回答询问、协助调查的义务",
        "告知其应当如实回答询问，并协助调查或者检查，不得拒绝或者阻挠",
        "《中华人民共和国行政处罚法》第五十五条第二款",
    ),
    Right(
        "hearing",
        "要求听证的权利",
        "告知其依法享有要求听证的权利",
        "《中华人民共和国行政处罚法》第六十三条、第六十四条",
    ),
)
BY_CODE = {r.code: r for r in RIGHTS}
CHOICES = [
    (r.code, f"{r.label}（{r.basis.removeprefix('《中华人民共和国行政处罚法》')}）") for r in RIGHTS
]

# Told by default when a new 笔录 is opened: identity and the three of every 询问/检查.
DEFAULT = ("certificate", "recusal", "statement", "truthful")


def sentence(codes: list[str]) -> str:
    """One paragraph: 执法人员已出示执法证件…（第五十五条第一款）；告知…。"""
    parts = [f"{BY_CODE[c].sentence}（{BY_CODE[c].basis}）" for c in codes if c in BY_CODE]
    return "；".join(parts) + "。" if parts else ""
