"""Demo 法制审核: the default 目录清单 of 兴隆台区民族和宗教事务局, and a review in progress for the
150,000 元 company case of the cases demo (skipped when that case is not there). Idempotent."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from sanxiang.accounts.models import User
from sanxiang.cases.models import Case
from sanxiang.directory.models import Agency, Officer

from . import services
from .models import CatalogueVersion, ReviewRound

AGENCY = "兴隆台区民族和宗教事务局"
COMPANY_CASE = "某文化传播有限公司为违法宗教活动提供条件案"
MATERIALS = {
    "case_file": "立案审批表、举报记录、现场检查笔录、询问笔录（演示，共28页）",
    "evidence_list": "1. 现场照片15张；2. 场地租赁合同1份；3. 收款记录3份；4. 询问笔录2份",
    "discretion_reasoning": "多次为未经批准的聚会提供场地和设备并收取费用，情节严重，"
    "在裁量基准“严重”档内处罚。",
}


def load() -> None:
    agency = Agency.objects.filter(name=AGENCY).first()
    if agency is None:
        return
    if not CatalogueVersion.objects.filter(agency=agency).exists():
        services.publish_catalogue(
            actor=None,
            agency_id=agency.pk,
            data=services.CatalogueData(),
            valid_from=date(timezone.localdate().year, 1, 1),
        )
    case = Case.objects.filter(agency=agency, title=COMPANY_CASE).first()
    officer = User.objects.filter(username="wang").first()
    reviewer = Officer.objects.filter(user__username="zhao").first()
    if case is None or officer is None or reviewer is None:
        return
    if ReviewRound.objects.filter(review__case=case).exists():
        return
    round_ = services.submit(actor=officer, case_id=case.pk, materials=MATERIALS)
    head = User.objects.get(username="head")
    services.assign(actor=head, round_id=round_.pk, reviewer_id=reviewer.pk)
