"""The 申请法院强制执行 window (行政强制法 第53条) and the 催告 period (第54条, 第69条: working
days) are deadline rows: on the case's clocks, in the inbox, and rebuilt from the ledger."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.test import Client

from sanxiang.cases import execution as ex
from sanxiang.cases import execution_clocks
from sanxiang.cases.models import Deadline, DeadlineStatus
from sanxiang.cases.services import apply_for_enforcement
from sanxiang.documents.services import issue_document
from sanxiang.documents.testing import quick_pdf
from sanxiang.ledger.reconcile import reconcile
from sanxiang.lib.workdays import add_working_days
from sanxiang.testing import signed_in

from .test_execution import TODAY, ExecutionTestCase


def issue(actor, case, kind: str):
    with mock.patch("sanxiang.documents.services.render_pdf", quick_pdf):
        return issue_document(actor=actor, case_id=case.pk, kind=kind)


class CourtWindowClock(ExecutionTestCase):
    def test_delivering_a_fine_starts_the_court_window_clock_as_the_schedule_counts_it(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=30))
        clock = Deadline.objects.get(case=case, rule="court")
        s = ex.schedule(case)
        assert s.court_from is not None
        assert clock.starts_on == s.court_from - timedelta(days=1)  # 复议/诉讼 periods' end
        assert clock.due_on == s.court_until
        assert clock.unit == "calendar" and clock.status == DeadlineStatus.RUNNING
        assert "第53条" in clock.label and "行政诉讼法 第46条" in clock.basis

    def test_a_warning_alone_starts_no_court_clock(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=3), kind="warning")
        assert not Deadline.objects.filter(case=case, rule__in=execution_clocks.RULES).exists()

    def test_paying_the_fine_stops_the_court_clock(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        self.pay(case, "5000", TODAY)
        clock = Deadline.objects.get(case=case, rule="court")
        assert clock.status == DeadlineStatus.MET and clock.stopped_on == TODAY

    def test_closing_stops_the_court_clock_and_the_ledger_agrees(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        self.pay(case, "5000", TODAY)
        self.close(case)
        assert Deadline.objects.get(case=case, rule="court").status == DeadlineStatus.MET
        assert not [d for d in reconcile() if d.table == "cases_deadline"]

    def test_the_clock_shows_on_the_case_page_with_its_article(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        page = signed_in(self.w.officer).get(f"/cases/{case.pk}/").content.decode()
        assert "申请人民法院强制执行期限（行政强制法 第53条）" in page


class ReminderClock(ExecutionTestCase):
    def test_the_reminder_delivered_starts_ten_working_days_and_the_inbox_warns_at_their_end(
        self,
    ):
        case = self.delivered(delivered_on=ex.add_months(TODAY, -7))
        issue(self.w.officer, case, "payment_reminder")
        assert not Deadline.objects.filter(case=case, rule="reminder").exists()
        issue(self.w.officer, case, "delivery_receipt")
        clock = Deadline.objects.get(case=case, rule="reminder")
        # 行政强制法 第69条: 十日以内 are working days; the start day is not counted.
        assert clock.starts_on == TODAY
        assert clock.due_on == add_working_days(TODAY, 10) and clock.unit == "working"
        reminder = ex.schedule(case).reminder
        assert reminder is not None and execution_clocks.ripe_on(clock) == reminder.ripe_on()
        assert "第54条" in clock.label and "第69条" in clock.basis
        # A second receipt (for another document) does not restart it.
        issue(self.w.officer, case, "delivery_receipt")
        assert Deadline.objects.get(case=case, rule="reminder").starts_on == TODAY
        assert not [d for d in reconcile() if d.table == "cases_deadline"]
        # Near its end the officer's inbox lists it.
        Deadline.objects.filter(pk=clock.pk).update(warn_on=TODAY)
        inbox = signed_in(self.w.officer).get("/").content.decode()
        assert "催告期限" in inbox

    def test_applying_to_the_court_stops_both_clocks(self):
        case = self.delivered(delivered_on=ex.add_months(TODAY, -7))
        issue(self.w.officer, case, "payment_reminder")
        issue(self.w.officer, case, "delivery_receipt")
        ripe = add_working_days(TODAY, 10) + timedelta(days=1)
        issue(self.w.officer, case, "enforcement_application")
        with mock.patch("sanxiang.cases.services.execution.local_today", return_value=ripe):
            apply_for_enforcement(actor=self.w.head, case_id=case.pk, on=ripe, note="申请")
        stopped = Deadline.objects.filter(case=case, rule__in=execution_clocks.RULES)
        assert {d.status for d in stopped} == {DeadlineStatus.MET}
        assert not [d for d in reconcile() if d.table == "cases_deadline"]

    def test_an_anonymous_visitor_sees_no_clock(self):
        case = self.delivered(delivered_on=TODAY - timedelta(days=5))
        assert Client().get(f"/cases/{case.pk}/").status_code in (302, 403)
