"""听证 requested online (issue 16, item 5) and the decision guard reading the party's own
answers: 第63条 scope, 第64条 five days after the 告知 (第85条: working days)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sanxiang.applicant.models import HearingRequest
from sanxiang.cases import order
from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, save_draft, transition
from sanxiang.cases.testing import company, open_test_case
from sanxiang.documents.testing import take_step
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.lib.workdays import add_working_days, is_working_day

from .helpers import link_for


def working_day_back(days: int) -> date:
    day = timezone.localdate() - timedelta(days=days)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


class OnlineAnswers(QuickDocumentsTestCase):
    def at_defence(self, amount: str = "200000", notice_on: date | None = None) -> Case:
        opened = notice_on - timedelta(days=3) if notice_on else None
        case = open_test_case(
            self.w, parties=[company()], title="某公司违规组织宗教活动", opened_on=opened
        )
        take_step(self.w.head, case.pk, "investigation", on=opened)
        take_step(self.w.officer, case.pk, "case_review", on=opened)
        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(
                kind="fine",
                fine_amount=amount,
                legal_basis="《宗教事务条例》第七十一条",
                violated_provision="《宗教事务条例》第四十一条",
            ),
        )
        take_step(self.w.officer, case.pk, "notice", on=notice_on, waive=False)
        take_step(self.w.officer, case.pk, "defence", on=notice_on, waive=False)
        return Case.objects.get(pk=case.pk)

    def token(self, case: Case) -> str:
        return link_for(self.w, case, case.parties.get())

    def test_an_online_statement_answers_the_defence_period_of_the_guard(self):
        case = self.at_defence(amount="5000")  # outside 第63条: no hearing period
        with pytest.raises(DomainError) as before:
            transition(actor=self.w.head, case_id=case.pk, target="decision")
        assert before.value.code == "period_running"
        answer = self.client.post(
            reverse("applicant_portal:defence", args=[self.token(case)]), {"text": "已整改"}
        )
        assert answer.status_code == 302
        [period] = order.periods(case)
        assert period.answered.startswith("当事人已在线提交陈述、申辩意见")
        assert transition(actor=self.w.head, case_id=case.pk, target="decision").stage == "decision"

    def test_a_hearing_requested_online_holds_the_decision_until_the_hearing(self):
        case = self.at_defence()
        token = self.token(case)
        page = self.client.get(reverse("applicant_portal:link", args=[token])).content.decode()
        ends = add_working_days(timezone.localdate(), 5)
        assert "要求听证" in page and f"{ends:%Y年}" in page
        answer = self.client.post(
            reverse("applicant_portal:hearing", args=[token]), {"reason": "罚款过重"}
        )
        assert answer.status_code == 302
        assert HearingRequest.objects.get().reason == "罚款过重"
        assert Entry.objects.filter(event_type="applicant.hearing_requested").count() == 1
        assert order.hearing_requested(case)
        twice = self.client.post(reverse("applicant_portal:hearing", args=[token]))
        assert twice.status_code == 409
        from sanxiang.workbench.inbox import inbox_for

        assert [s for s in inbox_for(self.w.head).sections if s.code == "applicant.hearings"]
        # The other periods answered, the decision is still refused: the hearing was asked for.
        from sanxiang.cases.services import record_defence

        for kind in ("statement", "hearing_waiver"):
            record_defence(actor=self.w.officer, case_id=case.pk, kind=kind, note="书面")
        with pytest.raises(DomainError) as refused:
            transition(actor=self.w.head, case_id=case.pk, target="decision")
        assert refused.value.code == "hearing_requested" and "第64条" in refused.value.message
        take_step(self.w.officer, case.pk, "hearing", waive=False)
        assert not order.hearing_requested(Case.objects.get(pk=case.pk))

    def test_after_five_working_days_the_request_is_refused_and_nothing_stored(self):
        notice_on = working_day_back(20)
        case = self.at_defence(notice_on=notice_on)
        answer = self.client.post(reverse("applicant_portal:hearing", args=[self.token(case)]))
        assert answer.status_code == 409 and "期限已于" in answer.content.decode()
        assert "第85条" in answer.content.decode()
        assert not HearingRequest.objects.exists()

    def test_outside_article_63_there_is_no_online_hearing_request(self):
        case = self.at_defence(amount="500")
        answer = self.client.post(reverse("applicant_portal:hearing", args=[self.token(case)]))
        assert answer.status_code == 409 and "第63条" in answer.content.decode()
        assert not HearingRequest.objects.exists()
