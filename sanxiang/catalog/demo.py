"""The demo agency's matters from 《宗教事务条例》 (国务院令第686号, 2017年修订).

Demo data: article numbers and wording are abridged for illustration; an agency loads its own
list from its 权责清单 (XLSX import) and checks it against the official text.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sanxiang.directory.models import Agency

from .models import Matter
from .services import MatterContent, create_matter

LAW = "宗教事务条例"
UNIT = "宗教事务股"
GUIDE: dict[str, Any] = {
    "supervision": "兴隆台区司法局行政执法监督电话 0427-2800000",
    "remedy": "对决定不服的，可依法申请行政复议或者提起行政诉讼。",
    "office_hours": "工作日 8:30—11:30，13:30—17:00",
    "phone": "0427-2800001",
}

# 服务指南 content by category (demo wording; an agency writes its own from its procedures).
GUIDE_BY_CATEGORY: dict[str, dict[str, Any]] = {
    "licence": {
        "conditions": "1. 申请人为依法登记的宗教团体或者宗教活动场所；\n"
        "2. 符合《宗教事务条例》及本事项设定依据规定的条件；\n"
        "3. 申请材料齐全、符合法定形式。",
        "materials": "1. 申请书（原件1份，可下载示范文本）；\n"
        "2. 申请人登记证书复印件（1份）；\n"
        "3. 负责人身份证明复印件（1份）；\n"
        "4. 所在地乡镇人民政府（街道办事处）意见（原件1份）。",
        "process": "申请 → 受理（5个工作日内作出是否受理的决定）→ 审查（必要时实地核查）"
        "→ 决定 → 送达。",
        "guide_time_limit": "法定时限见上；承诺在法定时限内办结",
        "preferential_policy": "无收费；材料齐全的当场受理，可通过政务服务网在线申请。",
        "online_application": True,
        "application_fields": "涉及的宗教团体或者宗教活动场所名称*\n实施地点*\n拟实施日期",
    },
    "penalty": {
        "conditions": "有证据证明存在本事项设定依据规定的违法行为，且不属于不予处罚情形。",
        "materials": "依职权启动，当事人无须提交申请材料；"
        "当事人可在陈述、申辩或者听证时提交证据材料。",
        "process": "立案 → 调查取证 → 告知（陈述、申辩、听证权利）→ 法制审核 → 集体讨论"
        "（情节复杂或者重大的）→ 决定 → 送达 → 执行。",
        "preferential_policy": "首次违法且危害后果轻微并及时改正的，可以不予行政处罚"
        "（《行政处罚法》第三十三条）。",
    },
    "inspection": {
        "conditions": "依职权开展，按照随机抽查事项清单和年度抽查计划实施。",
        "materials": "被检查单位配合提供登记证书、财务账簿、管理制度等相关资料。",
        "process": "制定计划 → 随机抽取检查对象和执法人员 → 实施检查 → 公示检查结果 → 督促整改。",
        "preferential_policy": "不收费。",
    },
}

MATTERS = [
    (
        "XK-001",
        "licence",
        "宗教活动场所登记",
        "第二十三条",
        "宗教活动场所经批准筹备并建设完工后，应当向所在地的县级人民政府宗教事务部门申请登记。",
        30,
        "calendar",
    ),
    (
        "XK-002",
        "licence",
        "宗教活动场所变更登记",
        "第二十五条",
        "宗教活动场所变更登记内容的，应当到原登记管理机关办理变更登记手续。",
        20,
        "working",
    ),
    (
        "XK-003",
        "licence",
        "宗教活动场所内改建或者新建建筑物审批",
        "第三十三条",
        "宗教活动场所内改建或者新建建筑物，应当经所在地县级以上地方人民政府宗教事务部门批准。",
        20,
        "working",
    ),
    (
        "XK-004",
        "licence",
        "临时活动地点指定",
        "第三十五条",
        "信教公民代表向县级人民政府宗教事务部门提出申请，可以为其指定临时活动地点。",
        20,
        "working",
    ),
    (
        "XK-005",
        "licence",
        "举行大型宗教活动审批",
        "第四十二条",
        "拟举行大型宗教活动的，应当在拟举行日的30日前向举办地县级人民政府宗教事务部门提出申请。",
        15,
        "calendar",
    ),
    (
        "CF-001",
        "penalty",
        "对擅自设立宗教活动场所的处罚",
        "第六十九条",
        "擅自设立宗教活动场所的，由宗教事务部门会同有关部门予以取缔，没收违法所得和非法财物。",
        90,
        "calendar",
    ),
    (
        "CF-002",
        "penalty",
        "对为违法宗教活动提供条件的处罚",
        "第七十一条",
        "为违法宗教活动提供条件的，由宗教事务部门给予警告，有违法所得、非法财物的，没收违法所得和"
        "非法财物，情节严重的，并处2万元以上20万元以下的罚款。",
        90,
        "calendar",
    ),
    (
        "CF-003",
        "penalty",
        "对宗教活动场所违反管理规定的处罚",
        "第六十五条",
        "宗教团体、宗教院校、宗教活动场所有违反本条例规定情形的，由宗教事务部门责令改正。",
        90,
        "calendar",
    ),
    # 行政强制法 第9条第（二）项 with the 条例's article (demo wording, abridged).
    (
        "QZ-001",
        "coercion",
        "对非法宗教宣传品的查封、扣押",
        "第六十八条",
        "涉及宗教内容的出版物有本条例第四十五条第二款禁止内容的，由有关部门依法处理；"
        "对涉嫌违法的宗教宣传品，可以依照《中华人民共和国行政强制法》的规定予以查封、扣押。",
        30,
        "calendar",
    ),
    (
        "JC-001",
        "inspection",
        "对宗教活动场所遵守法律法规情况的监督检查",
        "第二十六条",
        "宗教事务部门应当对宗教活动场所遵守法律、法规、规章情况进行监督检查。",
        None,
        "working",
    ),
    (
        "JC-002",
        "inspection",
        "对宗教活动场所财务管理情况的监督检查",
        "第五十七条",
        "宗教团体、宗教活动场所应当执行国家统一的财务、资产、会计制度，接受宗教事务部门的监督检查。",
        None,
        "working",
    ),
]


def load() -> None:
    bureau = Agency.objects.get(name="兴隆台区民族和宗教事务局")
    for code, category, name, article, text, limit, unit in MATTERS:
        if Matter.objects.filter(agency=bureau, code=code).exists():
            continue
        inspection = category == "inspection"
        content = MatterContent(
            category=category,
            name=name,
            handling_unit=UNIT,
            legal_basis=[{"law": LAW, "article": article, "text": text}],
            time_limit=limit,
            time_limit_unit=unit,
            responsibilities="受理、审查、决定、送达、事后监管等责任。",
            accountability="因不履行或不正确履行行政职责，有滥用职权、玩忽职守等情形的，依法追究责任。",
            acceptance_body="兴隆台区民族和宗教事务局",
            approval_body="兴隆台区民族和宗教事务局",
            random_inspection=inspection,
            inspection_target="辖区内依法登记的宗教活动场所" if inspection else "",
            inspection_content=name if inspection else "",
            inspection_ratio=Decimal("20.00") if inspection else None,
            inspection_method="双随机抽查" if inspection else "",
            inspection_frequency="每年不少于1次" if inspection else "",
            address="兴隆台区振兴街1号区政府综合楼3楼",
            **GUIDE,
            **GUIDE_BY_CATEGORY.get(category, {}),
        )
        create_matter(
            actor=None,
            agency_id=bureau.pk,
            code=code,
            content=content,
            valid_from=date(2018, 2, 1),
            is_demo=True,
        )
