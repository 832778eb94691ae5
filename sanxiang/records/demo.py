"""The demo agency's 音像记录事项清单 (local configuration; an agency edits its own).

应当 where DOMAIN.md lists the typical must-record scenes (on-site inspection, hearings,
compulsory measures, 留置送达); 可以 for ordinary investigation, so the demo penalty journey can
be walked without uploading anything.
"""

from __future__ import annotations

from datetime import date

from sanxiang.directory.models import Agency

from .models import AvLevel, AvRequirement
from .services import AvRequirementData, add_av_requirement

VALID_FROM = date(2026, 1, 1)

LINES = [
    (
        "inspection",
        "investigation",
        AvLevel.REQUIRED,
        "现场检查：出示执法证件、检查过程、制作笔录全程音像记录",
    ),
    ("penalty", "hearing", AvLevel.REQUIRED, "听证会全过程录音录像"),
    ("coercion", "execution", AvLevel.REQUIRED, "实施查封、扣押全过程音像记录"),
    (
        "penalty",
        "investigation",
        AvLevel.OPTIONAL,
        "询问当事人、现场勘验、先行登记保存证据可以进行音像记录",
    ),
    ("penalty", "delivery", AvLevel.OPTIONAL, "留置送达、公告送达应当录像，直接送达可以录像"),
]


def load() -> None:
    bureau = Agency.objects.filter(name="兴隆台区民族和宗教事务局").first()
    if bureau is None:
        return
    for category, stage, level, scene in LINES:
        if AvRequirement.objects.filter(
            agency=bureau, category=category, stage=stage, matter__isnull=True
        ).exists():
            continue
        add_av_requirement(
            actor=None,
            agency_id=bureau.pk,
            data=AvRequirementData(
                category=category, stage=stage, level=level, scene=scene, valid_from=VALID_FROM
            ),
            is_demo=True,
        )
