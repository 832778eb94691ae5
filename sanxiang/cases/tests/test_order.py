"""The law's order before a penalty decision (issue 10, item 6): no decision while the
陈述申辩 period (行政处罚法 第45、62条; the notice's 五日, working days by 第85条) or, in 第63条's
scope, the 听证 request period (第64条) still runs, unless the party answered or waived it in
writing or the hearing was held. Refusals are ``period_running`` and write nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from sanxiang.cases import order
from sanxiang.cases.models import Case
from sanxiang.cases.services import DraftData, record_defence, save_draft, transition
from sanxiang.cases.testing import company, open_test_case
from sanxiang.documents.testing import take_step
from sanxiang.documents.tests.helpers import QuickDocumentsTestCase
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError
from sanxiang.lib.workdays import add_working_days, is_working_day
from sanxiang.testing import signed_in


def refused(code: str, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def a_working_day_back(days: int) -> date:
    """A working day at least ``days`` calendar days ago (the notice day of a back-dated walk)."""
    day = timezone.localdate() - timedelta(days=days)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


class DefencePeriod(QuickDocumentsTestCase):
    def at_defence(self, *, amount: str = "5000", notice_on: date | None = None) -> Case:
        opened = notice_on - timedelta(days=3) if notice_on else None
        case = open_test_case(
            self.w, parties=[company()], title="某公司违规组织宗教活动", opened_on=opened
        )
        take_step(self.w.head, case.pk, "investigation", on=opened)
        take_step(self.w.officer, case.pk, "case_review", on=opened)
        take_step(self.w.officer, case.pk, "notice", on=notice_on)
        take_step(self.w.officer, case.pk, "defence", on=notice_on)
        save_draft(
            actor=self.w.officer,
            case_id=case.pk,
            data=DraftData(
                kind="fine", fine_amount=amount, legal_basis="《宗教事务条例》第七十一条"
            ),
        )
        return Case.objects.get(pk=case.pk)

    def test_a_decision_on_the_day_of_the_notice_is_refused_citing_the_article(self):
        case = self.at_defence()
        before = Entry.objects.filter(case_id=case.pk).count()
        error = refused(
            "period_running", transition, actor=self.w.head, case_id=case.pk, target="decision"
        )
        assert "陈述申辩期限尚未届满" in error.message
        assert "第45条" in error.message and "第85条" in error.message
        ends = add_working_days(timezone.localdate(), 5)
        assert f"{ends.year}年{ends.month}月{ends.day}日" in error.message
        assert Case.objects.get(pk=case.pk).stage == "defence"
        assert Entry.objects.filter(case_id=case.pk).count() == before

    def test_the_decision_is_refused_through_the_api_too(self):
        case = self.at_defence()
        response = signed_in(self.w.head).post(
            f"/api/v1/cases/{case.pk}/transitions",
            {"target": "decision"},
            content_type="application/json",
        )
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "period_running"

    def test_the_decision_goes_once_five_working_days_have_run(self):
        notice_on = a_working_day_back(20)
        case = self.at_defence(notice_on=notice_on)
        last_day = add_working_days(notice_on, 5)
        # On the period's last day the party may still answer: refused.
        refused(
            "period_running",
            transition,
            actor=self.w.head,
            case_id=case.pk,
            target="decision",
            on=last_day,
        )
        day_after = last_day + timedelta(days=1)
        decided = transition(actor=self.w.head, case_id=case.pk, target="decision", on=day_after)
        assert decided.stage == "decision" and decided.decided_on == day_after

    def test_the_partys_recorded_statement_ends_the_wait(self):
        case = self.at_defence()
        record_defence(
            actor=self.w.officer, case_id=case.pk, kind="statement", note="当事人称系初犯"
        )
        [period] = order.periods(case)
        assert period.answered.startswith("当事人已陈述、申辩")
        assert transition(actor=self.w.head, case_id=case.pk, target="decision").stage == (
            "decision"
        )

    def test_a_large_fine_waits_for_the_hearing_request_period_as_well(self):
        case = self.at_defence(amount="150000")  # ≥ 100,000 元 for a company: 第63条
        record_defence(actor=self.w.officer, case_id=case.pk, kind="statement")
        error = refused(
            "period_running", transition, actor=self.w.head, case_id=case.pk, target="decision"
        )
        assert "听证申请期限" in error.message and "第64条" in error.message
        record_defence(
            actor=self.w.officer, case_id=case.pk, kind="hearing_waiver", note="放弃听证声明书1页"
        )
        assert [p.holds_back(timezone.localdate()) for p in order.periods(case)] == [False, False]

    @override_settings(SANXIANG_HEARING_THRESHOLDS={"fine_organisation": "3000"})
    def test_the_hearing_threshold_is_the_agencys_setting(self):
        case = self.at_defence(amount="5000")
        assert order.in_hearing_scope(case)

    def test_a_hearing_held_answers_both_periods(self):
        case = self.at_defence(amount="150000")
        take_step(self.w.officer, case.pk, "hearing")
        case = Case.objects.get(pk=case.pk)
        assert all(p.answered.startswith("已进入听证") for p in order.periods(case))


class RecordingTheDefence(QuickDocumentsTestCase):
    def test_nothing_is_recorded_before_the_notice(self):
        case = open_test_case(self.w)
        refused("conflict", record_defence, actor=self.w.officer, case_id=case.pk, kind="statement")

    def test_a_waiver_needs_a_note_a_kind_must_be_known_and_the_supervisor_only_reads(self):
        case = open_test_case(self.w, parties=[company()])
        take_step(self.w.head, case.pk, "investigation")
        take_step(self.w.officer, case.pk, "case_review")
        take_step(self.w.officer, case.pk, "notice")
        refused(
            "validation_error", record_defence, actor=self.w.officer, case_id=case.pk, kind="waiver"
        )
        refused("validation_error", record_defence, actor=self.w.officer, case_id=case.pk, kind="x")
        refused(
            "forbidden", record_defence, actor=self.w.supervisor, case_id=case.pk, kind="statement"
        )
        refused(
            "not_found",
            record_defence,
            actor=self.w.other_officer,
            case_id=case.pk,
            kind="statement",
        )
        tomorrow = timezone.localdate() + timedelta(days=1)
        refused(
            "validation_error",
            record_defence,
            actor=self.w.officer,
            case_id=case.pk,
            kind="statement",
            on=tomorrow,
        )

    def test_the_case_page_shows_the_periods_with_their_articles_and_records_a_waiver(self):
        case = open_test_case(self.w, parties=[company()])
        take_step(self.w.head, case.pk, "investigation")
        take_step(self.w.officer, case.pk, "case_review")
        take_step(self.w.officer, case.pk, "notice")
        client = signed_in(self.w.officer)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert "陈述申辩期限" in page and "第45条" in page and 'data-period="defence"' in page
        response = client.post(
            f"/cases/{case.pk}/defence/", {"kind": "waiver", "note": "放弃声明书1页"}
        )
        assert response.status_code == 302
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert "当事人书面放弃陈述、申辩" in page
        api = client.get(f"/api/v1/cases/{case.pk}").json()
        assert api["periods"][0]["code"] == "defence"
        assert api["periods"][0]["holds_back"] is False
