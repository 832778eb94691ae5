"""立卷 rules of a procedure, as data: what a complete 案卷 holds, and how long it is kept.

Two tables, each a default that settings may change (``DOMAIN.md``: local practice is
configuration, never a constant in code):

- ``FILE_NEEDS``: the documents the file of a procedure must hold before it is archived (归档),
  each needed only once the case entered a stage playing ``after`` (a case closed at 不予立案 has
  no 决定书 to file). The archive guard (``documents.guards.complete_file``) checks them together
  with the ``Step.requires`` of every step the case took, and names every one missing.
- ``RETENTION``: the 保管期限 of the file per procedure.

Sources: 《机关文件材料归档范围和文书档案保管期限规定》(国家档案局令第8号, 2006) sets the
保管期限 of 文书档案 as 永久 and 定期, 定期 being 30 年 or 10 年; it replaced the 1987 rule whose
永久/长期/短期 names are still used in enforcement practice, so the labels below give both
(长期 = 定期30年, 短期 = 定期10年). 《价格行政处罚案卷管理规定》(国家发展改革委, 2013) 第七条 puts a
case file together as 案卷封皮、卷内目录、入卷文书材料、备考表, and 第六条 names a 立卷责任人 who
completes it within 30 days of 结案: the shape ``records.dossier`` follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings

from .definitions import Needs, StageRole

RETENTION_BASIS = (
    "《机关文件材料归档范围和文书档案保管期限规定》（国家档案局令第8号）：文书档案保管期限分为"
    "永久、定期（30年、10年）"
)


class Retention(StrEnum):
    PERMANENT = "permanent"
    LONG = "30y"
    SHORT = "10y"

    @property
    def label(self) -> str:
        return {
            Retention.PERMANENT: "永久",
            Retention.LONG: "长期（30年）",
            Retention.SHORT: "短期（10年）",
        }[self]


# Defaults: a case decided in the 普通程序 (or a compulsory measure, a licence) is evidence of
# rights for decades, hence 30 years; an on-the-spot 简易程序 penalty and a routine inspection, 10.
# An agency that files major cases (重大执法决定) permanently says so in settings.
RETENTION: dict[str, Retention] = {
    "penalty_ordinary": Retention.LONG,
    "penalty_summary": Retention.SHORT,
    "licence": Retention.LONG,
    "coercion": Retention.LONG,
    "inspection": Retention.SHORT,
}
DEFAULT_RETENTION = Retention.LONG


def retention_for(procedure: str, agency: Any = None) -> Retention:
    """The 保管期限 of a case file: ``settings.SANXIANG_RETENTION`` may give
    ``{"<procedure>": "permanent"}`` for every agency, or ``{"<agency short name>": {...}}``
    for one; otherwise the default of the procedure."""
    configured: dict[str, Any] = getattr(settings, "SANXIANG_RETENTION", {}) or {}
    own = configured.get(getattr(agency, "short_name", None) or "", {})
    value = (own.get(procedure) if isinstance(own, dict) else None) or configured.get(procedure)
    if isinstance(value, str) and value in Retention._value2member_map_:
        return Retention(value)
    return RETENTION.get(procedure, DEFAULT_RETENTION)


@dataclass(frozen=True)
class FileNeed:
    """A document the file must hold; needed only if the case entered a stage playing
    ``after`` (``None``: always)."""

    needs: Needs
    after: StageRole | None = None


FILING_APPROVAL = FileNeed(
    Needs(
        ("filing_approval",),
        "行政处罚法 第54条：符合立案标准的，应当及时立案（立案须经负责人批准，以立案审批表为凭）",
    ),
    after=StageRole.INVESTIGATION,
)
NOTICE = FileNeed(
    Needs(("penalty_notice",), "行政处罚法 第44条：作出行政处罚决定之前应当告知当事人"),
    after=StageRole.NOTICE,
)
PENALTY_DECISION = FileNeed(
    Needs(
        ("penalty_decision", "no_penalty_decision"),
        "行政处罚法 第59条：作出行政处罚决定的，应当制作行政处罚决定书",
    ),
    after=StageRole.DECISION,
)
DECISION_DELIVERED = FileNeed(
    Needs(
        ("penalty_decision", "no_penalty_decision"),
        "行政处罚法 第61条：行政处罚决定书应当送达当事人（以送达回证为凭）",
        delivered=True,
    ),
    after=StageRole.DELIVERY,
)
HEARING_RECORD = FileNeed(
    Needs(("hearing_record",), "行政处罚法 第64条第（八）项：听证应当制作笔录"),
    after=StageRole.HEARING,
)

FILE_NEEDS: dict[str, tuple[FileNeed, ...]] = {
    "penalty_ordinary": (
        FILING_APPROVAL,
        NOTICE,
        HEARING_RECORD,
        PENALTY_DECISION,
        DECISION_DELIVERED,
    ),
    "penalty_summary": (
        FileNeed(
            Needs(
                ("on_the_spot_decision",),
                "行政处罚法 第52条：当场作出行政处罚决定的，应当填写预定格式、编有号码的"
                "行政处罚决定书，并当场交付当事人",
            ),
            after=StageRole.DECISION,
        ),
    ),
    "licence": (
        FileNeed(
            Needs(
                ("licence_grant", "licence_refusal"),
                "行政许可法 第38条：作出准予或者不予行政许可的书面决定",
            ),
            after=StageRole.DECISION,
        ),
    ),
    "coercion": (
        FileNeed(
            Needs(
                ("seizure_decision",),
                "行政强制法 第24条：查封、扣押应当制作并当场交付查封、扣押决定书和清单",
            ),
            after=StageRole.DECISION,
        ),
        FileNeed(
            Needs(
                ("site_record",), "行政强制法 第18条第（七）项：实施行政强制措施应当制作现场笔录"
            ),
            after=StageRole.EXECUTION,
        ),
        # 行政强制法 第24条第3款: the 清单 a copy of which the agency keeps (h10b).
        FileNeed(
            Needs(
                ("seizure_inventory",),
                "行政强制法 第24条第3款：查封、扣押清单一式二份，由当事人和行政机关分别保存",
            ),
            after=StageRole.DECISION,
        ),
    ),
}


def file_needs(procedure: str) -> tuple[FileNeed, ...]:
    """The procedure's file needs; ``settings.SANXIANG_FILE_NEEDS = {"<procedure>": ()}``
    replaces them (an agency whose local standard files a document differently)."""
    configured: dict[str, tuple[FileNeed, ...]] = getattr(settings, "SANXIANG_FILE_NEEDS", {})
    if procedure in configured:
        return tuple(configured[procedure])
    return FILE_NEEDS.get(procedure, ())
